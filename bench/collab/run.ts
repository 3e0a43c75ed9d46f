/**
 * Co-editing benchmark (not a test): 1 000 y-websocket clients in 100 rooms
 * (one writer and nine readers each), 500 updates/s in all, for 20 s after a
 * warm-up, against Gridroom's endpoint (the real entry point, server/index.ts,
 * on PostgreSQL, clients authenticated by their join links), then the same
 * load in the same run against the reference @y/websocket-server 0.1.1 with
 * its LevelDB persistence. Servers and clients are separate processes.
 *
 * Measured: fan-out latency (writer's send -> each reader's provider applied
 * it), and time-to-durable: for Gridroom, send -> the row is visible to
 * another connection's SELECT, and send -> the writer got its update back
 * (sent only after commit); for the reference, send -> y-leveldb's write
 * resolved (its echo comes at once and says nothing of storage).
 *
 *   npm run bench:collab      (ROOMS=100 PER_ROOM=10 RATE=500 SECONDS=20 WARMUP=3)
 *
 * Also: NO_POLL=1 leaves the database poller out (it costs the machine CPU);
 * SERVER_LOG=info prints Gridroom's periodic 'stats' log lines; PROFILE=dir
 * writes a CPU profile of each server.
 *
 * Prints the figures and writes them, with the command, into the "Co-editing"
 * section of docs/BENCHMARKS.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { App } from '../../server/app';
import { parseConfig } from '../../server/config';
import { startRecords } from '../../server/recordsApp';
import { createOrg, login, PASSWORD, registerCase } from '../../tests/helpers/records';
import { createTestDb, testDatabaseUrl } from '../../tests/helpers/testDb';
import { DEFAULT_LIMITS } from '../../server/collab/limits';
import { distribution, type ClientsPlan, type ClientsResult, type Distribution } from './plan';
import { freePort } from '../../tests/helpers/freePort';

const ROOT = path.resolve(__dirname, '../..');
const ROOMS = Number(process.env.ROOMS ?? 100);
const PER_ROOM = Number(process.env.PER_ROOM ?? 10);
const RATE = Number(process.env.RATE ?? 500);
const SECONDS = Number(process.env.SECONDS ?? 20);
const WARMUP = Number(process.env.WARMUP ?? 3);
const CONNECT_PER_SECOND = 250;
const DATA_KEY = randomBytes(32).toString('base64');

const env = (extra: Record<string, string>) => ({
  PATH: `${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
  HOME: process.env.HOME ?? '/tmp',
  ...extra,
});

function start(
  script: string,
  extra: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpMatchArray; output: () => string }> {
  // PROFILE=dir writes a CPU profile of each server process there (node --cpu-prof).
  const profile =
    process.env.PROFILE && !script.includes('clients') ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', script], {
    cwd: ROOT,
    env: env(extra),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = ready.exec(output);
      if (match) resolve({ child, match, output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready:\n${output}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const now = () => performance.timeOrigin + performance.now();

/**
 * How far `child`'s clock (timeOrigin + now) is ahead of ours: each process's
 * timeOrigin is fixed at its start with an error of a few ms, too much to
 * compare times across processes. Best of 20 IPC round trips.
 */
async function clockOffset(child: ChildProcess): Promise<number> {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 20; i++) {
    const sent = now();
    const theirs = await new Promise<number>((resolve) => {
      const onMessage = (m: unknown) => {
        if (typeof m === 'object' && m !== null && 'clock' in m) {
          child.off('message', onMessage);
          resolve((m as { clock: number }).clock);
        }
      };
      child.on('message', onMessage);
      child.send('clock');
    });
    const back = now();
    if (back - sent < best.rtt) best = { rtt: back - sent, offset: theirs - (sent + back) / 2 };
  }
  return best.offset;
}

/** Runs the clients; `offset` is how far their clock is ahead of ours. */
async function runClients(plan: ClientsPlan): Promise<{ result: ClientsResult; offset: number }> {
  // The plan goes over IPC: 1 000 join links do not fit in an environment variable.
  const { child } = await start('bench/collab/clients.ts', {}, /^waiting for the plan$/m);
  const offset = await clockOffset(child);
  const result = new Promise<ClientsResult>((resolve, reject) => {
    child.on('message', (message) => {
      if (typeof message === 'object' && message !== null && 'fanout' in message) resolve(message as ClientsResult);
    });
    child.once('exit', (code) => reject(new Error(`clients exited (${code}) without a result`)));
  });
  child.send(plan);
  return { result: await result, offset };
}

/** Gridroom: a database with cases and session links, the entry point on it, the clients. */
async function benchGridroom(): Promise<ClientsResult> {
  const testDb = await createTestDb('postgres');
  const databaseUrl = `${await testDatabaseUrl()}?options=${encodeURIComponent(`-c search_path=${testDb.where}`)}`;
  const records = await startRecords(parseConfig({ DATABASE_URL: databaseUrl, DATA_KEY }), {
    db: testDb.db,
    logger: pino({ level: 'silent' }),
  });
  const org = await createOrg({ records } as unknown as App);
  await records.staff.create(null, {
    username: 'bench.mediator',
    displayName: '李调解',
    role: 'mediator',
    password: PASSWORD,
    gridId: org.grids.heping1.id,
    committeeId: null,
    townshipId: null,
    districtId: null,
  });
  const port = await freePort();
  const server = await start(
    'server/index.ts',
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      MEDIA_WORKERS: '1',
      DEMO_ROOM: 'false',
      LOG_LEVEL: process.env.SERVER_LOG ?? 'warn',
      DATABASE_URL: databaseUrl,
      DATA_KEY,
    },
    /Create another room/,
  );
  try {
    const baseUrl = `http://127.0.0.1:${port}`;
    const mediator = await login(baseUrl, 'bench.mediator');
    const rooms: ClientsPlan['rooms'] = [];
    for (let i = 0; i < ROOMS; i++) {
      const kase = await registerCase(mediator, org.grids.heping1.id);
      const scheduled = await mediator.post(`/api/cases/${kase.id}/sessions`, {
        scheduledAt: new Date().toISOString(),
        waitingRoom: false,
        singleDevice: false,
        linkTtlHours: 24,
      });
      if (scheduled.status !== 201) throw new Error(`schedule: ${scheduled.status} ${JSON.stringify(scheduled.body)}`);
      const links = scheduled.body.links as { role: string; url: string }[];
      const token = (url: string) => url.slice(url.lastIndexOf('/') + 1);
      const party = links.filter((l) => l.role === 'party').map((l) => token(l.url));
      const mediatorLink = token(links.find((l) => l.role === 'mediator')!.url);
      rooms.push({
        room: kase.id,
        writer: { token: mediatorLink },
        readers: Array.from({ length: PER_ROOM - 1 }, (_, r) => ({ token: party[r % party.length]! })),
      });
    }
    const { result } = await runClients({
      label: 'Gridroom',
      serverUrl: `ws://127.0.0.1:${port}/collab`,
      rooms,
      updatesPerSecond: RATE,
      warmupSeconds: WARMUP,
      durationSeconds: SECONDS,
      connectPerSecond: CONNECT_PER_SECOND,
      agreement: true,
      databaseUrl: process.env.NO_POLL ? undefined : databaseUrl,
    });
    return result;
  } finally {
    if (process.env.SERVER_LOG)
      console.log(
        server
          .output()
          .split('\n')
          .filter((l) => /"stats"|refused|close\(\)|error/.test(l))
          .slice(0, 60)
          .join('\n'),
      );
    await stop(server.child);
    await records.close();
    await testDb.drop();
  }
}

/** The reference: @y/websocket-server with its LevelDB persistence, the same clients. */
async function benchReference(): Promise<{ clients: ClientsResult; stored: Distribution }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-bench-leveldb-'));
  const server = await start('bench/collab/referenceServer.ts', { BENCH_LEVELDB: dir }, /READY (\d+)/);
  try {
    const rooms = Array.from({ length: ROOMS }, (_, i) => ({
      room: `room-${i}`,
      writer: {},
      readers: Array.from({ length: PER_ROOM - 1 }, () => ({})),
    }));
    const serverOffset = await clockOffset(server.child);
    const { result: clients, offset: clientsOffset } = await runClients({
      label: '@y/websocket-server 0.1.1',
      serverUrl: `ws://127.0.0.1:${server.match[1]}`,
      rooms,
      updatesPerSecond: RATE,
      warmupSeconds: WARMUP,
      durationSeconds: SECONDS,
      connectPerSecond: CONNECT_PER_SECOND,
      agreement: false,
    });
    const stats = await new Promise<{ stored: [number, number][] }>((resolve) => {
      server.child.once('message', (m) => resolve(m as { stored: [number, number][] }));
      server.child.send('stats');
    });
    // Sent times are the clients' clock, stored times the server's: both brought to ours.
    const inWindow = stats.stored.filter(([sentAt]) => sentAt >= clients.window.from && sentAt < clients.window.to);
    return {
      clients,
      stored: distribution(inWindow.map(([sentAt, at]) => at - serverOffset - (sentAt - clientsOffset))),
    };
  } finally {
    await stop(server.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (d: Distribution) => `${d.p50.toFixed(1)} / ${d.p99.toFixed(1)} / ${d.max.toFixed(1)}`;
const ratio = (a: number, b: number) => (a / b).toFixed(2);

async function main(): Promise<void> {
  console.log(
    `${ROOMS * PER_ROOM} clients in ${ROOMS} rooms (1 writer + ${PER_ROOM - 1} readers), ${RATE} updates/s, ${SECONDS} s after ${WARMUP} s warm-up\n`,
  );
  const ours = await benchGridroom();
  console.log('Gridroom:', JSON.stringify(ours));
  const reference = await benchReference();
  console.log('Reference:', JSON.stringify(reference));

  const rows = [
    ['', 'Gridroom', '@y/websocket-server 0.1.1', 'ratio (Gridroom / reference)'],
    ['updates sent (measured window)', String(ours.sent), String(reference.clients.sent), ''],
    [
      'fan-out p50 / p99 / max, ms',
      ms(ours.fanout),
      ms(reference.clients.fanout),
      `${ratio(ours.fanout.p50, reference.clients.fanout.p50)} / ${ratio(ours.fanout.p99, reference.clients.fanout.p99)}`,
    ],
    ['deliveries missing', String(ours.undelivered), String(reference.clients.undelivered), ''],
    [
      'time-to-durable p50 / p99 / max, ms',
      `${ms(ours.visible!)} (row visible in PostgreSQL, polled every ${ours.visible!.pollMs} ms)`,
      `${ms(reference.stored)} (y-leveldb write resolved, no fsync)`,
      `${ratio(ours.visible!.p50, reference.stored.p50)} / ${ratio(ours.visible!.p99, reference.stored.p99)}`,
    ],
    [
      'writer gets its update back p50 / p99, ms',
      `${ours.echo.p50.toFixed(1)} / ${ours.echo.p99.toFixed(1)} (after commit: the acknowledgement)`,
      `${reference.clients.echo.p50.toFixed(1)} / ${reference.clients.echo.p99.toFixed(1)} (at once, before storage)`,
      '',
    ],
    [
      'all clients connected and synced, s',
      ours.connectSeconds.toFixed(1),
      reference.clients.connectSeconds.toFixed(1),
      '',
    ],
  ];
  const table = [
    `| ${rows[0]!.join(' | ')} |`,
    `| --- | ---: | ---: | ---: |`,
    ...rows.slice(1).map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  console.log(`\n${table}\n`);
  writeSection(table, ours);
}

function writeSection(table: string, ours: ClientsResult): void {
  const file = path.join(ROOT, 'docs', 'BENCHMARKS.md');
  const section = `## Co-editing: fan-out and time-to-durable, against @y/websocket-server

\`\`\`sh
npm run bench:collab      # ROOMS=100 PER_ROOM=10 RATE=500 SECONDS=20 WARMUP=3 by default
\`\`\`

\`bench/collab/run.ts\` runs ${ROOMS * PER_ROOM} official y-websocket \`WebsocketProvider\` clients (Node, \`ws\`)
in ${ROOMS} rooms, one writer and ${PER_ROOM - 1} readers each, in a process of their own; the
writers type ${RATE} updates/s in all (${(RATE / ROOMS).toFixed(0)}/s each, phases spread) for ${SECONDS} s after a
${WARMUP} s warm-up. Each update inserts a marker carrying its send time into the
text; a reader's latency is from the send to its provider applying the update.
First against Gridroom: the real entry point (\`server/index.ts\`) on PostgreSQL,
each client authenticated by its session link (the writer the mediator's link,
readers the parties'), every update checked, applied, fanned out, committed by
group commit and then echoed to its writer; a poller in the clients' process
reads \`agreement_updates\` every ${ours.visible!.pollMs} ms and times each row from send to
visible. Then the same load against \`@y/websocket-server\` 0.1.1 as its
\`server.js\` runs it, with the y-leveldb persistence its \`utils.js\` installs for
\`YPERSISTENCE\`, timed from send to each \`storeUpdate\` resolving (LevelDB writes
without fsync; the reference does not authenticate and persists nothing
without \`YPERSISTENCE\`). Both servers are one Node process on the same machine.

${new Date().toISOString().slice(0, 10)}, ${os.availableParallelism()} cores (load average at the start ${os.loadavg()[0]!.toFixed(1)}; other jobs share the machine):

${table}

What the ratios say. Fan-out: Gridroom does more per update than the
reference (it authenticates every connection, decodes and checks each update
before applying it, commits it, then echoes it), yet fans out about as fast;
on this shared 2-core machine the p99s move by ±50 % from run to run, so read
ratios near 1 as "the same". Time-to-durable is not like for like: Gridroom's
is a PostgreSQL commit (fsync'd WAL), group-committed with a ${DEFAULT_LIMITS.groupCommitMs} ms linger, timed
to the writer's acknowledgement and to the row being visible to another
connection (which adds up to ${ours.visible!.pollMs} ms of polling); the reference's is an
unawaited LevelDB write without fsync, of which the client hears nothing (its
echo comes before it).

The bar that matters: an update is echoed to its writer only after its row is
committed, so a crash loses no acknowledged update
(tests/integration/collabDurability.test.ts kills the server with SIGKILL
mid-typing and finds every acknowledged update after the restart); what a crash
can lose is what was sent in the last ~${ours.echo.p99.toFixed(0)} ms (the p99 above) and not yet
acknowledged, and the provider sends it again when it reconnects. Hocuspocus
and y-redis persist after a debounce of up to 10 s: Gridroom's p99 window is
${(10_000 / ours.echo.p99).toFixed(0)}x shorter.
`;
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = current.search(/^## Co-editing/m);
  let next: string;
  if (start === -1) next = `${current.trimEnd()}\n\n${section}`;
  else {
    const rest = current.slice(start + 1).search(/^## /m);
    next = current.slice(0, start) + section + (rest === -1 ? '' : `\n${current.slice(start + 1 + rest)}`);
  }
  fs.writeFileSync(file, next.endsWith('\n') ? next : `${next}\n`);
  console.log(`wrote the Co-editing section of ${path.relative(ROOT, file)}`);
}

main().catch((error: unknown) => {
  console.error('bench:collab failed:', error);
  process.exit(1);
});
