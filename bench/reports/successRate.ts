/**
 * Success-rate benchmark (not a test): 100 000 cases over 3 districts × 10
 * townships × 30 grids, seeded with generate_series into a fresh schema of the
 * real PostgreSQL, then the report's own success-rate query (per grid,
 * township and district, one GROUPING SETS statement) timed 20 times per area:
 *   cold: each run on a new connection (empty plan and catalog caches; the
 *         server's buffers and the OS page cache stay warm, we cannot drop
 *         them); connecting itself is not timed
 *   warm: 20 runs on one connection
 * with and without the covering index, plus EXPLAIN ANALYZE, and the same on
 * PGlite for comparison.
 *
 *   npm run bench:reports           (BENCH_DATABASE_URL or TEST_DATABASE_URL, default root@127.0.0.1:5432/test)
 *   CASES=100000 RUNS=20 SKIP_PGLITE=1 npm run bench:reports
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import type { Area } from '../../server/authz/can';
import type { Db, Queryable } from '../../server/db/Db';
import { migrate } from '../../server/db/migrate';
import { PgDb } from '../../server/db/PgDb';
import { PgliteDb } from '../../server/db/PgliteDb';
import { monthPeriod, type Period } from '../../server/reports/period';
import { SqlReportQueries } from '../../server/reports/ReportQueries';
import { testDatabaseUrl } from '../../tests/helpers/testDb';

const CASES = Number(process.env.CASES ?? 100_000);
const RUNS = Number(process.env.RUNS ?? 20);
const quiet = pino({ level: 'silent' });

// 3 × 10 × 30 = 900 grids; every number below derives from the row index, so both engines hold the same data.
const SEED_SQL = `
insert into districts (id, code, name)
  select md5('d' || d)::uuid, 'D' || lpad(d::text, 2, '0'), '区' || d from generate_series(1, 3) d;
insert into townships (id, district_id, kind, name)
  select md5('t' || d || '-' || t)::uuid, md5('d' || d)::uuid, case when t % 2 = 0 then 'street' else 'township' end, '镇街' || d || '-' || t
  from generate_series(1, 3) d, generate_series(1, 10) t;
insert into grids (id, township_id, name)
  select md5('g' || d || '-' || t || '-' || g)::uuid, md5('t' || d || '-' || t)::uuid, '网格' || d || '-' || t || '-' || g
  from generate_series(1, 3) d, generate_series(1, 10) t, generate_series(1, 30) g;
insert into committees (id, level, district_id, township_id, name)
  select md5('c' || d || '-' || t)::uuid, 'township', md5('d' || d)::uuid, md5('t' || d || '-' || t)::uuid, '调委会' || d || '-' || t
  from generate_series(1, 3) d, generate_series(1, 10) t;
insert into committees (id, level, district_id, township_id, name)
  select md5('centre' || d)::uuid, 'district', md5('d' || d)::uuid, null, '调处中心' || d from generate_series(1, 3) d;
insert into staff (id, username, display_name, role, password_hash, committee_id)
  select md5('s' || d)::uuid, 'centre.' || d, '中心' || d, 'mediator', 'scrypt$bench', md5('centre' || d)::uuid from generate_series(1, 3) d;
insert into cases (id, case_no, dispute_type, status, outcome, level, district_id, township_id, grid_id, committee_id,
                   summary, registered_by, registered_at, concluded_at, closed_at)
select md5('case' || i)::uuid, 'B-' || i,
       (array['neighbours','marriage_family','housing_homestead','property_management','medical','traffic','labour_wages',
              'land_forest_demolition','consumer','other'])[1 + (i * 7) % 10],
       s.status, s.outcome, l.level, md5('d' || d)::uuid, md5('t' || d || '-' || t)::uuid, md5('g' || d || '-' || t || '-' || g)::uuid,
       case l.level when 'grid' then null when 'township' then md5('c' || d || '-' || t)::uuid else md5('centre' || d)::uuid end,
       '基准案件 ' || i, md5('s' || d)::uuid, r.at,
       case when s.outcome is null then null else r.at + ((i % 60) || ' days')::interval end,
       case when s.status = 'closed' then r.at + ((i % 60 + 10) || ' days')::interval end
from generate_series(1, $1::int) i
cross join lateral (select abs(hashtext('grid' || i)) % 900 as n, abs(hashtext('fate' || i)) % 1000 as p) h
cross join lateral (select 1 + h.n / 300 as d, 1 + (h.n / 30) % 10 as t, 1 + h.n % 30 as g, h.p as p) k
cross join lateral (select now() - ((i % 730) || ' days')::interval - ((i % 1440) || ' minutes')::interval as at) r
cross join lateral (select case when k.p < 850 then 'grid' when k.p < 970 then 'township' else 'district' end as level) l
cross join lateral (
  select case when k.p % 100 < 5 then 'registered' when k.p % 100 < 8 then 'mediating' when k.p % 100 < 30 then 'agreed'
              when k.p % 100 < 50 then 'followed_up' when k.p % 100 < 88 then 'closed' when k.p % 100 < 95 then 'failed'
              else 'withdrawn' end as status,
         case when k.p % 100 < 8 then null when k.p % 100 < 88 then 'agreed' when k.p % 100 < 95 then 'failed'
              else 'withdrawn' end as outcome
) s;
`;

// As autovacuum leaves a table in steady state: statistics, and a visibility map that lets index-only scans skip the heap.
const SETTLE = [
  'vacuum (analyze) cases',
  'vacuum (analyze) grids',
  'vacuum (analyze) townships',
  'vacuum (analyze) districts',
];

/** The seed script for CASES cases; a script takes no parameters, so the count is checked and spliced. */
function seedSql(): string {
  if (!Number.isInteger(CASES) || CASES < 1 || CASES > 10_000_000)
    throw new Error('CASES must be a whole number up to 10 000 000');
  return SEED_SQL.replace('$1::int', String(CASES));
}

interface Figures {
  p50: number;
  p95: number;
}

function percentiles(samples: number[]): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { p50: at(50), p95: at(95) };
}

const ms = (f: Figures) => `${f.p50.toFixed(2)} / ${f.p95.toFixed(2)}`;

/** A Queryable that remembers the last statement, to EXPLAIN exactly what the report runs. */
function recording(q: Queryable): Queryable & { last?: { sql: string; params: readonly unknown[] } } {
  const wrapper: Queryable & { last?: { sql: string; params: readonly unknown[] } } = {
    query: (sql, params = []) => {
      wrapper.last = { sql, params };
      return q.query(sql, params);
    },
    script: (sql) => q.script(sql),
  };
  return wrapper;
}

async function time<T>(fn: () => Promise<T>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

interface BenchArea {
  label: string;
  area: Area;
  period?: Period;
}

async function areasOf(db: Queryable): Promise<BenchArea[]> {
  const [row] = await db.query<{ d: Area['districtId']; t: Area['townshipId']; g: Area['gridId'] }>(
    `select md5('d1')::uuid as d, md5('t1-1')::uuid as t, md5('g1-1-1')::uuid as g`,
  );
  const district: Area = { districtId: row!.d, townshipId: null, gridId: null };
  const lastMonth = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 7);
  return [
    { label: 'district (10 townships, 300 grids), all time', area: district },
    { label: 'township (30 grids), all time', area: { ...district, townshipId: row!.t } },
    { label: 'grid, all time', area: { ...district, townshipId: row!.t, gridId: row!.g } },
    { label: `district, one month (${lastMonth})`, area: district, period: monthPeriod(lastMonth) },
  ];
}

async function benchPostgres(): Promise<string[]> {
  const url = process.env.BENCH_DATABASE_URL ?? (await testDatabaseUrl());
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const open = () => new PgDb({ connectionString: url, schema, max: 1, logger: quiet });
  const db = open();
  const out: string[] = [];
  try {
    await migrate(db, quiet);
    const seeded = await time(() => db.script(seedSql()));
    for (const statement of SETTLE) await db.query(statement);
    const [count] = await db.query<{ n: number }>('select count(*) as n from cases');
    const [version] = await db.query<{ server_version: string }>('show server_version');
    out.push(`PostgreSQL ${version!.server_version}: seeded ${count!.n} cases in ${(seeded / 1000).toFixed(1)} s`);
    const areas = await areasOf(db);

    const measure = async (label: string) => {
      out.push('', `| ${label} | cold p50 / p95 (ms) | warm p50 / p95 (ms) |`, '| --- | --- | --- |');
      for (const { label: what, area, period } of areas) {
        const cold: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const fresh = open();
          await fresh.query('select 1'); // connect outside the timing: the figure is the query on an empty cache
          cold.push(await time(() => new SqlReportQueries(fresh).successRate(area, period)));
          await fresh.close();
        }
        const reports = new SqlReportQueries(db);
        await reports.successRate(area, period);
        const warm: number[] = [];
        for (let i = 0; i < RUNS; i++) warm.push(await time(() => reports.successRate(area, period)));
        out.push(`| ${what} | ${ms(percentiles(cold))} | ${ms(percentiles(warm))} |`);
      }
    };
    await measure('with the covering index `cases_concluded`');

    const rec = recording(db);
    const rows = await new SqlReportQueries(rec).successRate(areas[0]!.area);
    const plan = await db.query<{ 'QUERY PLAN': string }>(
      `explain (analyze, buffers, costs off, summary on) ${rec.last!.sql}`,
      rec.last!.params,
    );
    out.push('', `EXPLAIN (ANALYZE, BUFFERS) of the district query (${rows.length} result rows):`, '```');
    out.push(
      ...plan
        .map((r) => r['QUERY PLAN'])
        .filter((line) =>
          /Scan|Aggregate|Hash|Sort|Buffers: shared|Execution Time|Planning Time|Heap Fetches/.test(line),
        ),
    );
    out.push('```');

    await db.query('drop index cases_concluded');
    await measure('without it (only `cases_by_district (district_id, status)`)');
    const noIndexPlan = await db.query<{ 'QUERY PLAN': string }>(
      `explain (analyze, costs off) ${rec.last!.sql}`,
      rec.last!.params,
    );
    out.push(
      '',
      'Without the index the planner reads:',
      '```',
      ...noIndexPlan.map((r) => r['QUERY PLAN']).filter((l) => /Scan|Execution Time/.test(l)),
      '```',
    );
  } finally {
    await db.close();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
  return out;
}

async function benchPglite(): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-bench-'));
  const out: string[] = [];
  let db: Db = await PgliteDb.open({ dir: path.join(dir, 'pglite'), logger: quiet });
  try {
    await migrate(db, quiet);
    const seeded = await time(() => db.script(seedSql()));
    for (const statement of SETTLE) await db.query(statement);
    out.push(`PGlite 0.5 (same data, same query): seeded ${CASES} cases in ${(seeded / 1000).toFixed(1)} s`);
    const areas = await areasOf(db);
    out.push('', '| PGlite | first run after reopening (ms) | warm p50 / p95 (ms) |', '| --- | --- | --- |');
    for (const { label, area, period } of areas) {
      await db.close();
      db = await PgliteDb.open({ dir: path.join(dir, 'pglite'), logger: quiet });
      const first = await time(() => new SqlReportQueries(db).successRate(area, period));
      const warm: number[] = [];
      for (let i = 0; i < RUNS; i++) warm.push(await time(() => new SqlReportQueries(db).successRate(area, period)));
      out.push(`| ${label} | ${first.toFixed(2)} | ${ms(percentiles(warm))} |`);
    }
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

async function main(): Promise<void> {
  console.log(
    `success-rate benchmark: ${CASES} cases, ${RUNS} runs per figure, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})\n`,
  );
  console.log((await benchPostgres()).join('\n'));
  if (!process.env.SKIP_PGLITE) console.log(`\n${(await benchPglite()).join('\n')}`);
}

main().catch((error: unknown) => {
  console.error('bench:reports failed:', error);
  process.exit(1);
});
