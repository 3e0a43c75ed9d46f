/**
 * The embedded default (no DATABASE_URL): PGlite in a data folder. The server
 * starts on it with the same migrations, runs the same flow, keeps its data
 * across a restart, refuses a second process on the same folder, and keeps the
 * generated data key beside it.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { resolveDataKey } from '../../server/crypto/dataKey';
import { readMigrations } from '../../server/db/migrate';
import { openDatabase } from '../../server/db/openDatabase';
import { PgliteDb } from '../../server/db/PgliteDb';
import { createFixture, registerCase } from '../helpers/records';
import { createTestDb, type TestDb } from '../helpers/testDb';
import { startTestServer, type TestServer } from '../helpers/testServer';

const quiet = pino({ level: 'silent' });
let t: TestDb;
let server: TestServer;
let caseId: string;

beforeAll(async () => {
  t = await createTestDb('pglite');
  server = await startTestServer({}, { db: t.db });
});

afterAll(async () => {
  await server?.close();
  await t?.drop();
});

test('the server starts on PGlite with every migration applied', async () => {
  expect(t.db.kind).toBe('pglite');
  const rows = await t.db.query<{ version: number }>('select version from schema_migrations order by version');
  expect(rows.map((r) => r.version)).toEqual(readMigrations().map((m) => m.version));
});

test('the case flow runs on it: login, register, mediate, escalate, audit', async () => {
  const f = await createFixture(server.app, server.url);
  const grid = await f.as('gridMediator');
  const c = await registerCase(grid, f.org.grids.heping1.id);
  caseId = c.id;
  expect((await grid.post(`/api/cases/${c.id}/status`, { to: 'mediating' })).status).toBe(200);
  expect((await grid.post(`/api/cases/${c.id}/escalate`, { reason: '复杂' })).body.case.level).toBe('township');
  const audit = (await grid.get(`/api/cases/${c.id}/audit`)).body.audit as { action: string }[];
  expect(audit.map((a) => a.action)).toEqual(['case.registered', 'case.statusChanged', 'case.escalated']);
  expect((await (await f.as('westGridMediator')).get(`/api/cases/${c.id}`)).status).toBe(403);
  const report = await (await f.as('districtCoordinator')).get('/api/reports/monthly.html');
  expect(report.status).toBe(200);
});

test('the audit table refuses UPDATE and DELETE here too', async () => {
  await expect(t.db.query(`update audit_log set action = 'x.y'`)).rejects.toThrow(/append-only/);
  await expect(t.db.query('delete from audit_log')).rejects.toThrow(/append-only/);
});

test('a statement sent to the Db from inside its own transaction fails at once instead of deadlocking', async () => {
  await expect(t.db.transaction(() => t.db.query('select 1'))).rejects.toThrow(/must use the transaction/);
});

test('a second process cannot open the same folder', async () => {
  await expect(PgliteDb.open({ dir: path.join(t.where, 'pglite'), logger: quiet })).rejects.toThrow(
    /is in use by process \d+/,
  );
});

test('after a restart the data is still there and no migration runs again', async () => {
  await server.close();
  await t.db.close();
  const reopened = await openDatabase({ url: undefined, dataDir: t.where }, quiet);
  try {
    expect(reopened.kind).toBe('pglite');
    expect(await reopened.query('select status, level from cases where id = $1', [caseId])).toEqual([
      { status: 'registered', level: 'township' },
    ]);
    expect((await reopened.query('select count(*) as n from schema_migrations'))[0]).toEqual({
      n: readMigrations().length,
    });
  } finally {
    await reopened.close();
  }
});

test('without DATA_KEY a key is generated once into the data folder, readable only by its owner', () => {
  const config = { dataKey: undefined, database: { url: undefined, dataDir: t.where } };
  const first = resolveDataKey(config, quiet);
  expect(first).toHaveLength(32);
  expect(resolveDataKey(config, quiet)).toEqual(first);
  expect(fs.statSync(path.join(t.where, 'data-key')).mode & 0o777).toBe(0o600);
});
