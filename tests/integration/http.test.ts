/**
 * The HTTP surface of the real server: probes, join links (the app page or a
 * bilingual error page), and the admin API guarded by its bearer token.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RoomId } from '../../shared/ids';
import { defaultClientDir } from '../../server/app';
import { JoinTokens } from '../../server/links/joinToken';
import { startTestServer, tokenOf, type TestServer } from '../helpers/testServer';

const indexHtml = path.join(defaultClientDir(), 'index.html');

let server: TestServer;
let tokens: JoinTokens;
let room: Awaited<ReturnType<TestServer['createRoom']>>;

beforeAll(async () => {
  server = await startTestServer();
  tokens = new JoinTokens(server.config.tokenSecret);
  room = await server.createRoom('HTTP');
});
afterAll(async () => {
  await server?.close();
});

const get = (pathname: string, init?: RequestInit) => fetch(`${server.url}${pathname}`, init);
const createRoom = (body: unknown, authorization?: string) =>
  get('/api/rooms', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const admin = () => `Bearer ${server.config.adminToken}`;

/** The token with the character at `index` replaced by another base64url character. */
const changeCharAt = (token: string, index: number) =>
  token.slice(0, index) + (token[index] === 'A' ? 'B' : 'A') + token.slice(index + 1);

function expectLinkErrorPage(html: string, code: string) {
  expect(html).toContain(`data-code="${code}"`);
  expect(html).toMatch(/\p{Script=Han}{4,}/u); // Chinese sentences
  expect(html).toMatch(/<p lang="en">[A-Z][a-z]+( [a-z]+){3,}/); // an English sentence
  // Never a stack trace or a file path.
  expect(html).not.toMatch(/\bat .+:\d+:\d+/);
  expect(html).not.toMatch(/Error:|\.ts\b|node_modules/);
}

describe('probes', () => {
  test('GET /healthz is 200', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('GET /readyz is 200 while the workers are up', async () => {
    const res = await get('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
  });
});

describe('join links', () => {
  test('GET /join/<valid link> is 200 text/html with the built client page, never cached', async () => {
    if (!fs.existsSync(indexHtml)) {
      throw new Error(
        `${indexHtml} is missing: build the client first (npx vite build --config client/vite.config.ts)`,
      );
    }
    const res = await get(`/join/${tokenOf(room.links.party)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toBe(fs.readFileSync(indexHtml, 'utf8'));
    expect(res.headers.get('cache-control')).toBe('no-store');
    // The token is in the path: it must not leak to other sites.
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  test('each role link of a room opens the page', async () => {
    for (const link of Object.values(room.links)) {
      expect((await fetch(link)).status).toBe(200);
    }
  });

  test('a link with one character of its signature changed is a 401 page saying INVALID_LINK in Chinese and English', async () => {
    const token = tokenOf(room.links.party);
    const tampered = changeCharAt(token, token.lastIndexOf('.') + 7);
    const res = await get(`/join/${tampered}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expectLinkErrorPage(html, 'INVALID_LINK');
    expect(html).toContain('链接无效');
    expect(html).toContain('This link is not valid');
    expect(html).not.toContain(tampered.slice(-20)); // the link is never echoed back
  });

  test('an expired link is a 401 page saying LINK_EXPIRED', async () => {
    const { token } = await tokens.sign(room.roomId, 'party', -1);
    const res = await get(`/join/${token}`);
    expect(res.status).toBe(401);
    const html = await res.text();
    expectLinkErrorPage(html, 'LINK_EXPIRED');
    expect(html).toContain('This link has expired');
  });

  test('a valid link to a room that does not exist is a 404 page saying NOT_FOUND', async () => {
    const { token } = await tokens.sign('GoneRoom000' as RoomId, 'mediator', 3600);
    const res = await get(`/join/${token}`);
    expect(res.status).toBe(404);
    expectLinkErrorPage(await res.text(), 'NOT_FOUND');
  });

  test('/join without a token is a 401 INVALID_LINK page', async () => {
    const res = await get('/join');
    expect(res.status).toBe(401);
    expectLinkErrorPage(await res.text(), 'INVALID_LINK');
  });

  test('a link error page is never cached either', async () => {
    const res = await get('/join/garbage');
    expect(res.status).toBe(401);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('POST /api/rooms', () => {
  test('without a bearer token is 403 FORBIDDEN and creates nothing', async () => {
    const res = await createRoom({ title: 'Nope' });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } });
  });

  test.each([
    ['a wrong token', () => 'Bearer wrong-token'],
    ['the right token with one character more', () => `${admin()}x`],
    ['the right token without "Bearer"', () => server.config.adminToken],
    ['the token secret instead of the admin token', () => `Bearer ${server.config.tokenSecret}`],
  ])('with %s is 403 FORBIDDEN', async (_, authorization) => {
    const res = await createRoom({ title: 'Nope' }, authorization());
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('FORBIDDEN');
  });

  test('the bearer is checked before the body: bad JSON without a token is still 403', async () => {
    expect((await createRoom('{not json')).status).toBe(403);
  });

  test('with the admin token is 201 with a room id and one link per role, each verifying to its room and role', async () => {
    const res = await createRoom({ title: '  Mediation 2026-117  ' }, admin());
    expect(res.status).toBe(201);
    const body = (await res.json()) as {
      roomId: RoomId;
      title: string;
      expiresAt: string;
      links: Record<string, string>;
    };
    expect(body.roomId).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    expect(body.title).toBe('Mediation 2026-117');
    expect(Object.keys(body.links).sort()).toEqual(['expert', 'mediator', 'observer', 'party']);
    for (const [role, link] of Object.entries(body.links)) {
      expect(link.startsWith(`${server.app.url}/join/`)).toBe(true);
      const claims = await tokens.verify(tokenOf(link));
      expect(claims).toMatchObject({ roomId: body.roomId, role });
      expect(claims.expiresAt.getTime()).toBe(Math.floor(Date.parse(body.expiresAt) / 1000) * 1000);
    }
    // The room exists: its links open the page.
    expect((await get(`/join/${tokenOf(body.links.party!)}`)).status).toBe(200);
  });

  test('links expire after LINK_TTL_HOURS (a week by default)', async () => {
    const body = await (await createRoom({}, admin())).json();
    const ttl = Date.parse(body.expiresAt) - Date.now();
    expect(Math.abs(ttl - server.config.linkTtlSeconds * 1000)).toBeLessThan(60_000);
  });

  test('an empty body gives the default title', async () => {
    const res = await createRoom({}, admin());
    expect(res.status).toBe(201);
    expect((await res.json()).title).toBe('Gridroom');
  });

  test('two rooms get different ids', async () => {
    const [a, b] = await Promise.all([createRoom({}, admin()), createRoom({}, admin())]);
    expect((await a.json()).roomId).not.toBe((await b.json()).roomId);
  });

  test('invalid JSON is 400 BAD_REQUEST', async () => {
    const res = await createRoom('{"title": ', admin());
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'BAD_REQUEST', message: expect.any(String) } });
  });

  test('a title over 120 characters is 400 BAD_REQUEST', async () => {
    const res = await createRoom({ title: 'x'.repeat(121) }, admin());
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('BAD_REQUEST');
    expect((await createRoom({ title: 'x'.repeat(120) }, admin())).status).toBe(201);
  });

  test('a title of the wrong type or an unknown field is 400 BAD_REQUEST', async () => {
    expect((await createRoom({ title: 42 }, admin())).status).toBe(400);
    expect((await createRoom({ title: 'ok', admin: true }, admin())).status).toBe(400);
  });

  test('a body over 4 KiB is 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await createRoom({ title: 'x'.repeat(5000) }, admin());
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('anything else', () => {
  test('an unknown path is 404 JSON NOT_FOUND', async () => {
    const res = await get('/no/such/page');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  test('GET /api/rooms (the wrong method) is 404, not a listing', async () => {
    const res = await get('/api/rooms', { headers: { authorization: admin() } });
    expect(res.status).toBe(404);
  });

  test('no response says which framework serves it', async () => {
    const res = await get('/healthz');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('readiness once the workers are gone', () => {
  let other: TestServer;

  beforeAll(async () => {
    other = await startTestServer();
  });
  afterAll(async () => {
    await other?.close();
  });

  test('/readyz is 503 when the worker pool is closed, while /healthz stays 200', async () => {
    expect((await fetch(`${other.url}/readyz`)).status).toBe(200);
    other.app.pool.close();
    const res = await fetch(`${other.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not ready' });
    expect((await fetch(`${other.url}/healthz`)).status).toBe(200);
  });
});
