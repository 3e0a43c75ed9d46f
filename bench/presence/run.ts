/**
 * Presence benchmark (not a test): 100 000 experts over 10 000 grids (50
 * districts × 20 townships × 10 grids) in a redis-server of its own, then
 * the dispatcher's available-expert query (RedisPresenceStore.findAvailable,
 * one Lua script) timed from the client, one at a time and 32 in flight, plus
 * a claim and its withdrawal; in the same run Redis's own redis-benchmark on
 * the same server, for scale (its PING with one client is the round-trip
 * floor no script can beat); then request → ring latency across two nodes
 * (ringLatency.ts, on the machine's PostgreSQL).
 *
 * The pool is drawn from a seeded PRNG so every run has the same data: each
 * expert has 1 specialty of 15 (30 %: 2), speaks zh (20 %: also yue, en, ug
 * or bo), and serves 1–3 grids of one township (70 %), a whole township
 * (20 %) or a whole district (10 %); 80 % are available, the rest away.
 *
 *   npm run bench:presence           (EXPERTS=100000 QUERIES=5000 RINGS=200 by default)
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379 npm run bench:presence   (another Redis; keys under a random prefix)
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { DISPUTE_TYPES, type DisputeType } from '../../shared/cases';
import type { CaseId, DistrictId, ExpertId, ExpertRequestId, GridId, OfferId, TownshipId } from '../../shared/ids';
import type { CaseLocation } from '../../server/presence/keys';
import type { ExpertProfile } from '../../server/presence/PresenceStore';
import { RedisPresenceStore } from '../../server/presence/RedisPresenceStore';
import { prng } from '../../tests/helpers/prng';
import { OwnRedisServer, testPrefix } from '../../tests/helpers/redis';
import { measureRingLatency } from './ringLatency';

const EXPERTS = Number(process.env.EXPERTS ?? 100_000);
const QUERIES = Number(process.env.QUERIES ?? 5000);
const RINGS = Number(process.env.RINGS ?? 200);
const DISTRICTS = 50;
const TOWNSHIPS_PER_DISTRICT = 20;
const GRIDS_PER_TOWNSHIP = 10;
const IN_FLIGHT = 32;
const LIMIT = 3;
const SPECIALTIES = Object.keys(DISPUTE_TYPES) as DisputeType[];
const OTHER_LANGUAGES = ['yue', 'en', 'ug', 'bo'];

const random = prng(20261204);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** Short readable ids (d-3, t-41, g-410, x-99999): keys.ts only asks for letters, digits and "-". */
const idOf = (kind: string, n: number) => `${kind}-${n}`;

interface Org {
  districts: DistrictId[];
  townships: { id: TownshipId; districtId: DistrictId; grids: GridId[] }[];
}

function organisation(): Org {
  const districts = Array.from({ length: DISTRICTS }, (_, d) => idOf('d', d) as DistrictId);
  const townships = districts.flatMap((districtId, d) =>
    Array.from({ length: TOWNSHIPS_PER_DISTRICT }, (_, t) => {
      const n = d * TOWNSHIPS_PER_DISTRICT + t;
      return {
        id: idOf('t', n) as TownshipId,
        districtId,
        grids: Array.from({ length: GRIDS_PER_TOWNSHIP }, (_, g) => idOf('g', n * GRIDS_PER_TOWNSHIP + g) as GridId),
      };
    }),
  );
  return { districts, townships };
}

function expertProfile(org: Org): ExpertProfile {
  const specialties = [pick(SPECIALTIES)];
  if (random() < 0.3) specialties.push(pick(SPECIALTIES));
  const languages = random() < 0.2 ? ['zh', pick(OTHER_LANGUAGES)] : ['zh'];
  const township = pick(org.townships);
  const roll = random();
  const serves =
    roll < 0.7
      ? {
          grids: [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(township.grids)))],
          townships: [],
          districts: [],
        }
      : roll < 0.9
        ? { grids: [], townships: [township.id], districts: [] }
        : { grids: [], townships: [], districts: [township.districtId] };
  return { specialties: [...new Set(specialties)], languages, serves };
}

function randomCase(org: Org): CaseLocation {
  const township = pick(org.townships);
  return { gridId: pick(township.grids), townshipId: township.id, districtId: township.districtId };
}

function stats(samples: number[]): { p50: number; p99: number; mean: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { p50: at(50), p99: at(99), mean: sorted.reduce((s, x) => s + x, 0) / sorted.length, max: at(100) };
}
const ms = (n: number) => n.toFixed(3);

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [value, Number(process.hrtime.bigint() - start) / 1e6];
}

async function main(): Promise<void> {
  const own = process.env.BENCH_REDIS_URL ? undefined : await OwnRedisServer.start();
  const url = process.env.BENCH_REDIS_URL ?? own!.url;
  const client: RedisClientType = createClient({ url });
  client.on('error', (error) => console.error('redis:', error));
  await client.connect();
  const prefix = testPrefix();
  const store = new RedisPresenceStore({ client, prefix, heartbeatTtlMs: 3_600_000 });
  const org = organisation();
  try {
    // Seed through the store's own script, 1000 in flight (node-redis pipelines them).
    const [, seedMs] = await timed(async () => {
      for (let start = 0; start < EXPERTS; start += 1000) {
        const batch = [];
        for (let i = start; i < Math.min(EXPERTS, start + 1000); i++) {
          const state = random() < 0.8 ? 'available' : 'away';
          batch.push(store.heartbeat(idOf('x', i) as ExpertId, expertProfile(org), state));
        }
        await Promise.all(batch);
      }
    });
    const info = await client.info('memory');
    const memory = /used_memory_human:(\S+)/.exec(info)?.[1];
    const keys = await client.dbSize();
    console.log(
      `seeded ${EXPERTS} experts over ${org.townships.length * GRIDS_PER_TOWNSHIP} grids in ${(seedMs / 1000).toFixed(1)} s;`,
    );
    console.log(
      `Redis holds ${keys} keys, ${memory} (redis-server ${execFileSync('redis-server', ['--version']).toString().split(' ')[2]})`,
    );

    const query = () => ({
      specialty: pick(SPECIALTIES),
      language: random() < 0.3 ? pick(['zh', ...OTHER_LANGUAGES]) : undefined,
      at: randomCase(org),
      limit: LIMIT,
    });
    for (let i = 0; i < 200; i++) await store.findAvailable(query()); // warm-up: scripts cached, connections hot

    const sequential: number[] = [];
    const found: number[] = [];
    const nearness = { grid: 0, township: 0, district: 0 };
    for (let i = 0; i < QUERIES; i++) {
      const [candidates, took] = await timed(() => store.findAvailable(query()));
      sequential.push(took);
      found.push(candidates.length);
      for (const c of candidates) nearness[c.nearness]++;
    }

    const concurrent: number[] = [];
    const [, wallMs] = await timed(async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next++ < QUERIES) concurrent.push((await timed(() => store.findAvailable(query())))[1]);
        }),
      );
    });

    // A claim and its withdrawal, on experts the query found (each one claimed once).
    const claims: number[] = [];
    for (let i = 0; i < Math.min(2000, QUERIES); i++) {
      const [candidate] = await store.findAvailable(query());
      if (!candidate) continue;
      const offerId = randomUUID() as OfferId;
      const [, took] = await timed(() =>
        store.claim({
          expertId: candidate.expertId,
          caseId: randomUUID() as CaseId,
          requestId: randomUUID() as ExpertRequestId,
          offerId,
          ringMs: 25_000,
        }),
      );
      claims.push(took);
      await store.endRing(candidate.expertId, offerId, 'cancel');
    }

    const seq = stats(sequential);
    const conc = stats(concurrent);
    const claim = stats(claims);
    const total = nearness.grid + nearness.township + nearness.district;
    console.log(`\navailable-expert query (limit ${LIMIT}), ${QUERIES} queries, client-side ms:`);
    console.log('| measure | p50 | p99 | mean | max |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    console.log(
      `| findAvailable, one at a time | ${ms(seq.p50)} | ${ms(seq.p99)} | ${ms(seq.mean)} | ${ms(seq.max)} |`,
    );
    console.log(
      `| findAvailable, ${IN_FLIGHT} in flight | ${ms(conc.p50)} | ${ms(conc.p99)} | ${ms(conc.mean)} | ${ms(conc.max)} |`,
    );
    console.log(
      `| claim (then withdrawn), one at a time | ${ms(claim.p50)} | ${ms(claim.p99)} | ${ms(claim.mean)} | ${ms(claim.max)} |`,
    );
    console.log(`throughput with ${IN_FLIGHT} in flight: ${Math.round((QUERIES / wallMs) * 1000)} queries/s`);
    console.log(
      `candidates per query: mean ${(found.reduce((s, x) => s + x, 0) / found.length).toFixed(2)} of ${LIMIT}; ` +
        `none found in ${found.filter((n) => n === 0).length} of ${QUERIES}; ` +
        `nearness grid/township/district ${[nearness.grid, nearness.township, nearness.district].map((n) => ((100 * n) / total).toFixed(0) + '%').join(' / ')}`,
    );

    // redis-benchmark against the same server: the floor (PING, one client) and the primitives our script uses.
    const { hostname, port } = new URL(url);
    const bench = (args: string[]) =>
      execFileSync('redis-benchmark', ['-h', hostname, '-p', port || '6379', '-q', ...args], { encoding: 'utf8' })
        .split(/[\r\n]+/)
        .filter((line) => line.includes('requests per second'))
        .map((line) => line.trim());
    const districtCell = store.keys.availability('traffic', '*', 'district', org.districts[0]!);
    console.log('\nredis-benchmark on the same server:');
    for (const line of [
      ...bench(['-c', '1', '-n', '20000', 'PING']),
      ...bench(['-c', '1', '-n', '20000', 'ZRANGE', districtCell, '0', '63', 'WITHSCORES']),
    ]) {
      console.log(`  1 client:   ${line.replace(districtCell, '<a district cell>')}`);
    }
    for (const line of bench(['-c', '50', '-n', '100000', '-t', 'ping,get,set,hset,zadd'])) {
      console.log(`  50 clients: ${line}`);
    }

    const rings = await measureRingLatency(url, RINGS);
    console.log(`\nrequest → ring, ${RINGS} requests each (mediator's request sent → expert's page rings), ms:`);
    console.log('| measure | p50 | p99 | mean | max |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const [label, samples] of [
      ['expert on node B, mediator on node A', rings.acrossNodes],
      ['both on one node', rings.oneNode],
    ] as const) {
      const r = stats(samples);
      console.log(`| ${label} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.mean)} | ${ms(r.max)} |`);
    }
  } finally {
    if (!own) {
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
        if (keys.length) await client.del(keys);
      }
    }
    client.destroy();
    await own?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
