/**
 * Staff accounts on the real database: login with a scrypt-hashed password, a
 * session that is an HttpOnly cookie (or a Bearer token), stored only as its
 * hash, that expires and ends at logout; the administrator's accounts; and the
 * CLI that creates the first administrator.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { hashToken } from '../../server/staff/authenticate';
import { apiClient, createOrg, login, PASSWORD, type Org } from '../helpers/records';
import { createTestDb, testDatabaseUrl } from '../helpers/testDb';
import { startTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
let org: Org;

beforeAll(async () => {
  server = await startTestServer();
  org = await createOrg(server.app);
  const none = { gridId: null, committeeId: null, townshipId: null, districtId: null };
  await server.app.records.staff.create(null, {
    username: 'admin',
    displayName: '管理员',
    role: 'admin',
    password: PASSWORD,
    ...none,
  });
  await server.app.records.staff.create(null, {
    username: 'li.mediator',
    displayName: '李调解',
    role: 'mediator',
    password: PASSWORD,
    ...none,
    gridId: org.grids.heping1.id,
  });
});

afterAll(async () => {
  await server?.close();
});

const auditActions = async (action: string) =>
  (await server.db.query<{ n: number }>('select count(*) as n from audit_log where action = $1', [action]))[0]!.n;

describe('login', () => {
  test('the right password opens an HttpOnly, SameSite=Lax session cookie that the API accepts', async () => {
    const reply = await apiClient(server.url).post('/api/staff/login', { username: 'li.mediator', password: PASSWORD });
    expect(reply.status).toBe(200);
    expect(reply.body.token).toBeUndefined(); // a browser keeps the cookie; script never sees the token
    expect(reply.body.staff).toMatchObject({
      username: 'li.mediator',
      role: 'mediator',
      post: { level: 'grid', gridId: org.grids.heping1.id },
    });
    const cookie = reply.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^gridroom_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    const me = await fetch(`${server.url}/api/staff/me`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { staff: { username: string } }).staff.username).toBe('li.mediator');
  });

  test('usernames are case-insensitive on the way in', async () => {
    expect(
      (await apiClient(server.url).post('/api/staff/login', { username: ' LI.Mediator ', password: PASSWORD })).status,
    ).toBe(200);
  });

  test('a wrong password and an unknown user get the same 401, and both are audited', async () => {
    const before = await auditActions('session.loginFailed');
    const wrong = await apiClient(server.url).post('/api/staff/login', {
      username: 'li.mediator',
      password: 'not the password',
    });
    const unknown = await apiClient(server.url).post('/api/staff/login', {
      username: 'nobody',
      password: 'not the password',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error).toEqual({ code: 'UNAUTHENTICATED', message: 'wrong username or password' });
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await auditActions('session.loginFailed')).toBe(before + 2);
  });

  test('a malformed login body is a 400, not a login attempt', async () => {
    const reply = await apiClient(server.url).post('/api/staff/login', { username: 'li.mediator' });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('BAD_REQUEST');
  });

  test('passwords are stored as scrypt hashes and sessions only as the sha-256 of their token', async () => {
    const api = await login(server.url, 'li.mediator');
    const [staff] = await server.db.query<{ password_hash: string }>(
      `select password_hash from staff where username = 'li.mediator'`,
    );
    expect(staff!.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(staff!.password_hash).not.toContain(PASSWORD);
    const sessions = await server.db.query<{ token_hash: string }>('select token_hash from staff_sessions');
    expect(sessions.map((s) => s.token_hash)).toContain(hashToken(api.token!));
    expect(JSON.stringify(sessions)).not.toContain(api.token!);
  });
});

describe('sessions', () => {
  test('no token, a made-up token or a garbled cookie is UNAUTHENTICATED', async () => {
    const tries: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${randomBytes(32).toString('base64url')}` },
      { cookie: 'gridroom_session=%%%' },
    ];
    for (const headers of tries) {
      const reply = await fetch(`${server.url}/api/cases`, { headers });
      expect(reply.status).toBe(401);
      expect(((await reply.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    }
  });

  test('logout ends the session: the same token is refused afterwards', async () => {
    const api = await login(server.url, 'li.mediator');
    expect((await api.get('/api/staff/me')).status).toBe(200);
    const out = await api.post('/api/staff/logout');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/gridroom_session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await api.get('/api/staff/me')).status).toBe(401);
  });

  test('an expired session is refused', async () => {
    const api = await login(server.url, 'li.mediator');
    await server.db.query(`update staff_sessions set expires_at = now() - interval '1 second' where token_hash = $1`, [
      hashToken(api.token!),
    ]);
    expect((await api.get('/api/staff/me')).status).toBe(401);
  });

  test('a session lasts SESSION_TTL_HOURS', async () => {
    const before = Date.now();
    const reply = await apiClient(server.url).post('/api/staff/login', {
      username: 'li.mediator',
      password: PASSWORD,
      bearer: true,
    });
    const ttl = new Date(reply.body.expiresAt).getTime() - before;
    expect(Math.abs(ttl - server.config.sessionTtlSeconds * 1000)).toBeLessThan(5_000);
  });
});

describe('accounts', () => {
  test('an administrator creates a mediator in a grid, who can then log in', async () => {
    const admin = await login(server.url, 'admin');
    const reply = await admin.post('/api/staff', {
      username: 'wang.mediator',
      displayName: '王调解',
      role: 'mediator',
      password: 'a long enough password',
      gridId: org.grids.heping2.id,
    });
    expect(reply.status).toBe(201);
    expect(reply.body.staff).toMatchObject({
      username: 'wang.mediator',
      role: 'mediator',
      gridId: org.grids.heping2.id,
      active: true,
    });
    expect(reply.body.staff.passwordHash).toBeUndefined();
    await login(server.url, 'wang.mediator', 'a long enough password');
  });

  test('a role must fit its place: a mediator needs a grid or committee, a notary none', async () => {
    const admin = await login(server.url, 'admin');
    const base = { username: 'x.y', displayName: 'X', password: 'a long enough password' };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, role: 'mediator' }, /mediator needs exactly one of gridId or committeeId/],
      [
        { ...base, role: 'coordinator', gridId: org.grids.heping1.id },
        /coordinator needs exactly one of townshipId or districtId/,
      ],
      [{ ...base, role: 'notary', districtId: org.east.id }, /notary is not placed/],
      [{ ...base, role: 'admin', password: 'short' }, /^password: must be at least 10/],
      [{ ...base, username: 'No Spaces', role: 'admin' }, /^username: /],
    ];
    for (const [body, message] of cases) {
      const reply = await admin.post('/api/staff', body);
      expect([reply.status, reply.body.error.message]).toEqual([400, expect.stringMatching(message)]);
    }
  });

  test('a taken username is a CONFLICT; a grid that does not exist is NOT_FOUND', async () => {
    const admin = await login(server.url, 'admin');
    const body = {
      displayName: 'X',
      role: 'mediator',
      password: 'a long enough password',
      gridId: org.grids.heping1.id,
    };
    expect((await admin.post('/api/staff', { ...body, username: 'li.mediator' })).status).toBe(409);
    expect(
      (await admin.post('/api/staff', { ...body, username: 'z.z', gridId: '00000000-0000-4000-8000-000000000000' }))
        .status,
    ).toBe(404);
  });

  test('only administrators manage accounts', async () => {
    const mediator = await login(server.url, 'li.mediator');
    expect((await mediator.get('/api/staff')).status).toBe(403);
    const reply = await mediator.post('/api/staff', {
      username: 'sneaky',
      displayName: 'S',
      role: 'admin',
      password: 'a long enough password',
    });
    expect(reply.status).toBe(403);
    expect((await server.db.query(`select 1 from staff where username = 'sneaky'`)).length).toBe(0);
  });

  test('deactivating an account ends its sessions and refuses its logins', async () => {
    const admin = await login(server.url, 'admin');
    const created = await admin.post('/api/staff', {
      username: 'leaving',
      displayName: '离职',
      role: 'mediator',
      password: 'a long enough password',
      gridId: org.grids.heping1.id,
    });
    const leaving = await login(server.url, 'leaving', 'a long enough password');
    expect((await admin.post(`/api/staff/${created.body.staff.id}/deactivate`)).status).toBe(200);
    expect((await leaving.get('/api/staff/me')).status).toBe(401);
    expect(
      (
        await apiClient(server.url).post('/api/staff/login', {
          username: 'leaving',
          password: 'a long enough password',
        })
      ).status,
    ).toBe(401);
  });

  test('the last active administrator cannot be deactivated', async () => {
    const admin = await login(server.url, 'admin');
    const me = (await admin.get('/api/staff/me')).body.staff;
    const reply = await admin.post(`/api/staff/${me.id}/deactivate`);
    expect(reply.status).toBe(409);
    expect(reply.body.error.message).toMatch(/last active administrator/);
  });

  test('changing one’s password needs the current one and ends the other sessions', async () => {
    const here = await login(server.url, 'li.mediator');
    const elsewhere = await login(server.url, 'li.mediator');
    expect(
      (await here.post('/api/staff/me/password', { current: 'wrong', next: 'another long password' })).status,
    ).toBe(403);
    expect(
      (await here.post('/api/staff/me/password', { current: PASSWORD, next: 'another long password' })).status,
    ).toBe(204);
    expect((await here.get('/api/staff/me')).status).toBe(200);
    expect((await elsewhere.get('/api/staff/me')).status).toBe(401);
    await login(server.url, 'li.mediator', 'another long password');
    await here.post('/api/staff/me/password', { current: 'another long password', next: PASSWORD });
  });
});

describe('the browser login page', () => {
  test('posting the form sets the cookie and goes to `next`; a foreign `next` is ignored', async () => {
    const post = (next: string, password = PASSWORD) =>
      fetch(`${server.url}/staff/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'li.mediator', password, next }).toString(),
      });
    const ok = await post('/api/cases');
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/api/cases');
    expect(ok.headers.get('set-cookie')).toMatch(/HttpOnly/);
    expect((await post('//evil.example/x')).headers.get('location')).toBe('/api/reports/monthly.html');
    const bad = await post('/api/cases', 'wrong password');
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain('用户名或密码错误');
  });
});

describe('npm run admin:create', () => {
  const ROOT = path.resolve(__dirname, '../..');

  function runCli(args: string[], env: Record<string, string>, stdin?: string) {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/createAdmin.ts', ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.stdin.end(stdin ?? '');
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  test('creates the first administrator in the configured PostgreSQL, then refuses a second', async () => {
    const target = await createTestDb('postgres', { migrate: false });
    try {
      const url = new URL(await testDatabaseUrl());
      url.searchParams.set('options', `-c search_path=${target.where}`);
      const env = { DATABASE_URL: url.toString(), DATA_KEY: randomBytes(32).toString('base64') };
      const first = await runCli(
        ['--username', 'first.admin', '--name', '首位管理员', '--password-stdin'],
        env,
        'the first admin password\n',
      );
      expect(first).toMatchObject({ code: 0 });
      expect(first.stdout).toContain('Administrator "first.admin" created in the PostgreSQL database');
      const [row] = await target.db.query<{ role: string; display_name: string }>(
        `select role, display_name from staff where username = 'first.admin'`,
      );
      expect(row).toEqual({ role: 'admin', display_name: '首位管理员' });
      const second = await runCli(['--username', 'second.admin'], env);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/an administrator already exists/);
    } finally {
      await target.drop();
    }
  });
});
