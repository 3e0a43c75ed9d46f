/**
 * The database layer on the real PostgreSQL: migrations applied once and in
 * order (even by servers starting together), refused when history was
 * rewritten; the audit table refuses every change; transactions roll back;
 * user input stays data.
 */
import pino from 'pino';
import { migrate, readMigrations, type Migration } from '../../server/db/migrate';
import { PgDb } from '../../server/db/PgDb';
import { createTestDb, testDatabaseUrl, type TestDb } from '../helpers/testDb';

const quiet = pino({ level: 'silent' });
let t: TestDb;

beforeAll(async () => {
  t = await createTestDb('postgres', { migrate: false });
});

afterAll(async () => {
  await t?.drop();
});

describe('migrations', () => {
  test('two servers starting at once apply each migration exactly once, in order', async () => {
    const other = new PgDb({ connectionString: await testDatabaseUrl(), schema: t.where, logger: quiet });
    try {
      const [a, b] = await Promise.all([migrate(t.db, quiet), migrate(other, quiet)]);
      const all = readMigrations().map((m) => m.version);
      expect([...a, ...b].sort()).toEqual(all);
      expect(a.length === 0 || b.length === 0).toBe(true); // the second waited on the lock, then found nothing to do
    } finally {
      await other.close();
    }
    const rows = await t.db.query<{ version: number; name: string; checksum: string }>(
      'select version, name, checksum from schema_migrations order by version',
    );
    expect(rows.map((r) => r.version)).toEqual(readMigrations().map((m) => m.version));
    expect(rows.slice(0, 4).map((r) => `${String(r.version).padStart(3, '0')}_${r.name}`)).toEqual([
      '001_org',
      '002_staff',
      '003_cases',
      '004_audit',
    ]);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
  });

  test('a second start applies nothing', async () => {
    expect(await migrate(t.db, quiet)).toEqual([]);
  });

  test('a migration edited after it was applied stops the start', async () => {
    const edited: Migration[] = readMigrations().map((m) => (m.version === 2 ? { ...m, checksum: 'x'.repeat(64) } : m));
    await expect(migrate(t.db, quiet, edited)).rejects.toThrow(/002_staff\.sql changed after it was applied/);
  });

  test('a database newer than the server stops the start', async () => {
    await expect(migrate(t.db, quiet, readMigrations().slice(0, 3))).rejects.toThrow(
      /has migration 004_audit.sql, which this server does not know/,
    );
  });
});

describe('the audit table is append-only, enforced by the database', () => {
  beforeAll(async () => {
    await t.db.query(`insert into audit_log (action, entity, details) values ('test.inserted', 'case', '{}')`);
  });

  test('inserting works', async () => {
    expect((await t.db.query('select 1 from audit_log')).length).toBeGreaterThan(0);
  });

  test.each([
    ['UPDATE', `update audit_log set action = 'test.rewritten'`],
    ['DELETE', 'delete from audit_log'],
    ['TRUNCATE', 'truncate audit_log'],
  ])('%s is refused', async (op, sql) => {
    await expect(t.db.query(sql)).rejects.toMatchObject({
      message: `audit_log is append-only: ${op} is not allowed`,
      code: '42501',
    });
    expect((await t.db.query<{ action: string }>('select action from audit_log')).map((r) => r.action)).toContain(
      'test.inserted',
    );
  });
});

describe('transactions and parameters', () => {
  test('a transaction that throws leaves nothing behind', async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query(`insert into districts (id, code, name) values (gen_random_uuid(), 'RB1', '回滚区')`);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await t.db.query(`select 1 from districts where code = 'RB1'`)).toEqual([]);
  });

  test('text that looks like SQL is stored as text', async () => {
    const name = `x'); drop table cases; --`;
    await t.db.query('insert into districts (id, code, name) values (gen_random_uuid(), $1, $2)', ['INJ1', name]);
    expect(await t.db.query(`select name from districts where code = 'INJ1'`)).toEqual([{ name }]);
    expect((await t.db.query(`select to_regclass('cases') as t`))[0]).toEqual({ t: 'cases' });
  });

  test('counts arrive as numbers, as on PGlite', async () => {
    expect(await t.db.query('select count(*) as n, 2::int8 as big')).toEqual([{ n: expect.any(Number), big: 2 }]);
  });
});
