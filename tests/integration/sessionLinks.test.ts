/**
 * Sessions of a case and their links on the real server, real PostgreSQL and
 * a real worker: scheduling hands out one link per party and one for the
 * mediator; a link opens the join page and the socket; an expired or revoked
 * link is refused at both (and a revoked one's live connection ends); a
 * single-device link works on its first phone only; only who may mediate the
 * case schedules or revokes; an opted-in case's sessions are recorded with
 * audited consent; and links outlive a restart.
 */
import { randomBytes } from 'node:crypto';
import type { CaseView } from '../../server/cases/CaseService';
import { JoinTokens } from '../../server/links/joinToken';
import type { RoomId } from '../../shared/ids';
import type { LinkView, ScheduledSession } from '../../shared/sessions';
import { eventually } from '../helpers/eventually';
import { apiClient, createFixture, registerCase, type Api, type Fixture, type StaffKey } from '../helpers/records';
import { TestSignalingClient } from '../helpers/signalingClient';
import { createTestDb } from '../helpers/testDb';
import { startTestServer, tokenOf, type TestServer } from '../helpers/testServer';

const TOKEN_SECRET = randomBytes(32).toString('base64url');
const env = { TOKEN_SECRET };

let server: TestServer;
let f: Fixture;
let mediator: Api;
let kase: CaseView;
let clients: TestSignalingClient[] = [];

beforeEach(async () => {
  server = await startTestServer(env);
  f = await createFixture(server.app, server.url);
  mediator = await f.as('gridMediator');
  kase = await registerCase(mediator, f.org.grids.heping1.id);
});

afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  await server.close();
});

const inOneHour = () => new Date(Date.now() + 3600_000).toISOString();

async function schedule(api = mediator, body: Record<string, unknown> = {}): Promise<ScheduledSession> {
  const reply = await api.post(`/api/cases/${kase.id}/sessions`, { scheduledAt: inOneHour(), ...body });
  if (reply.status !== 201) throw new Error(`schedule: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body as ScheduledSession;
}

const partyLink = (s: ScheduledSession, name = '王秀英'): LinkView => s.links.find((l) => l.label === name)!;

async function connect(link: LinkView, deviceId: string, url = server.url): Promise<TestSignalingClient> {
  const client = await TestSignalingClient.connect(url, tokenOf(link.url!), { deviceId });
  clients.push(client);
  return client;
}

async function join(client: TestSignalingClient, displayName: string) {
  const { rtpCapabilities } = await client.request('room:getRouterRtpCapabilities', {});
  await client.request('media:createTransport', { direction: 'send' });
  await client.request('media:createTransport', { direction: 'recv' });
  return client.request('room:join', { displayName, rtpCapabilities });
}

/** The handshake's error code, or 'connected'. */
async function handshake(link: LinkView | string, deviceId?: string): Promise<string> {
  const token = typeof link === 'string' ? link : tokenOf(link.url!);
  try {
    const client = await TestSignalingClient.connect(server.url, token, deviceId ? { deviceId } : {});
    clients.push(client);
    return 'connected';
  } catch (error) {
    return (error as Error).message;
  }
}

async function joinPage(link: LinkView | string): Promise<{ status: number; code: string | null }> {
  const token = typeof link === 'string' ? link : tokenOf(link.url!);
  const res = await fetch(`${server.url}/join/${token}`);
  const html = await res.text();
  return { status: res.status, code: /data-code="([A-Z_]+)"/.exec(html)?.[1] ?? null };
}

describe('scheduling a session', () => {
  test('gives one link per party and one for the mediator, and a text per party with its link and name', async () => {
    const s = await schedule();
    expect(s.session).toMatchObject({ caseId: kase.id, waitingRoom: true, recording: false });
    expect(s.links.map((l) => [l.role, l.label, l.singleDevice])).toEqual([
      ['party', '王秀英', true],
      ['party', '李建国', true],
      ['mediator', '和平一网格 李调解', false],
    ]);
    expect(s.links.filter((l) => l.role === 'party').map((l) => l.partyId)).toEqual(kase.parties.map((p) => p.id));
    for (const link of s.links) expect(link.url).toMatch(new RegExp(`^${server.url}/join/`));
    expect(s.smsTexts).toHaveLength(2);
    for (const sms of s.smsTexts) {
      const link = s.links.find((l) => l.linkId === sms.linkId)!;
      expect(sms.partyId).toBe(link.partyId);
      expect(sms.text).toContain(link.url!);
      expect(sms.text).toContain(`${link.label}您好`);
      expect(sms.text).toContain('【和平一网格】');
      expect(sms.text).toContain('北京时间');
    }
  });

  test('a party link opens the join page and its socket lands the party in the waiting room', async () => {
    const s = await schedule();
    expect(await joinPage(partyLink(s))).toEqual({ status: 200, code: null });
    const client = await connect(partyLink(s), 'device-party-a');
    expect((await join(client, '王秀英')).space).toBe('lobby');
  });

  test('lists the sessions newest first, with the same links; the audit has the scheduling', async () => {
    const first = await schedule();
    const second = await schedule(mediator, { title: '第二次调解', waitingRoom: false });
    const listed = await mediator.get(`/api/cases/${kase.id}/sessions`);
    expect(listed.status).toBe(200);
    expect(listed.body.sessions.map((x: { session: { id: string } }) => x.session.id)).toEqual([
      second.session.id,
      first.session.id,
    ]);
    // The row is the link: listing it again gives the very URL that was sent.
    expect(listed.body.sessions[1].links.map((l: LinkView) => l.url)).toEqual(first.links.map((l) => l.url));
    const audit = await mediator.get(`/api/cases/${kase.id}/audit`);
    expect(audit.body.audit.filter((a: { action: string }) => a.action === 'session.scheduled')).toHaveLength(2);
  });

  test('a coordinator sees the sessions but not the links themselves', async () => {
    await schedule();
    const listed = await (await f.as('districtCoordinator')).get(`/api/cases/${kase.id}/sessions`);
    expect(listed.status).toBe(200);
    expect(listed.body.sessions[0].links.map((l: LinkView) => l.url)).toEqual([null, null, null]);
  });

  test('is refused for a concluded case', async () => {
    await mediator.post(`/api/cases/${kase.id}/status`, { to: 'mediating' });
    expect((await mediator.post(`/api/cases/${kase.id}/status`, { to: 'withdrawn' })).status).toBe(200);
    const reply = await mediator.post(`/api/cases/${kase.id}/sessions`, { scheduledAt: inOneHour() });
    expect([reply.status, reply.body.error.code]).toEqual([409, 'CONFLICT']);
  });

  test('an expert link can be added to a session, and it opens the room', async () => {
    const s = await schedule();
    const reply = await mediator.post(`/api/sessions/${s.session.id}/links`, { role: 'expert', label: '吴专家' });
    expect(reply.status).toBe(201);
    expect(reply.body.link).toMatchObject({ role: 'expert', label: '吴专家', singleDevice: false, revokedAt: null });
    expect(await handshake(reply.body.link as LinkView)).toBe('connected');
  });
});

describe('an expired link', () => {
  test('is LINK_EXPIRED at the join page and at the socket', async () => {
    const s = await schedule();
    const link = partyLink(s);
    // The stored row, moved into the past; its token is re-derived from it, as the server does.
    const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 7200_000);
    const expiresAt = new Date(issuedAt.getTime() + 3600_000);
    await server.db.query('update session_links set issued_at = $2, expires_at = $3 where id = $1', [
      link.linkId,
      issuedAt.toISOString(),
      expiresAt.toISOString(),
    ]);
    const { token } = await new JoinTokens(TOKEN_SECRET).sign(s.session.id, 'party', {
      linkId: link.linkId,
      issuedAt,
      expiresAt,
    });
    expect(await joinPage(token)).toEqual({ status: 401, code: 'LINK_EXPIRED' });
    expect(await handshake(token, 'device-party-a')).toBe('LINK_EXPIRED');
    const listed = await mediator.get(`/api/cases/${kase.id}/sessions`);
    expect(tokenOf(listed.body.sessions[0].links[0].url)).toBe(token);
  });

  test('a token for a link that was never issued is INVALID_LINK, although correctly signed', async () => {
    const s = await schedule();
    const { token } = await new JoinTokens(TOKEN_SECRET).sign(s.session.id, 'party', 3600);
    expect(await joinPage(token)).toEqual({ status: 401, code: 'INVALID_LINK' });
    expect(await handshake(token, 'device-party-a')).toBe('INVALID_LINK');
  });
});

describe('a revoked link', () => {
  test('ends the connection made with it at once, and is LINK_REVOKED at the join page and the socket', async () => {
    const s = await schedule();
    const link = partyLink(s);
    const party = await connect(link, 'device-party-a');
    await join(party, '王秀英');
    const other = await connect(partyLink(s, '李建国'), 'device-party-b');
    await join(other, '李建国');

    const reply = await mediator.post(`/api/sessions/${s.session.id}/links/${link.linkId}/revoke`);
    expect(reply.status).toBe(200);
    expect(reply.body.link.revokedAt).toEqual(expect.any(String));

    await party.waitFor('session:removed', (r) => r.reason === 'linkRevoked');
    await eventually(() => !party.socket.connected, { what: 'the party disconnected' });
    expect(other.notifications('session:removed')).toEqual([]);
    expect(other.socket.connected).toBe(true);

    expect(await joinPage(link)).toEqual({ status: 410, code: 'LINK_REVOKED' });
    expect(await handshake(link, 'device-party-a')).toBe('LINK_REVOKED');
    const page = await (await fetch(`${server.url}/join/${tokenOf(link.url!)}`)).text();
    expect(page).toContain('这个链接已被调解员停用');
  });

  test('revoking again changes nothing and answers the same', async () => {
    const s = await schedule();
    const link = partyLink(s);
    const path = `/api/sessions/${s.session.id}/links/${link.linkId}/revoke`;
    const first = await mediator.post(path);
    const again = await mediator.post(path);
    expect(again.status).toBe(200);
    expect(again.body.link).toEqual(first.body.link);
    const audit = await mediator.get(`/api/cases/${kase.id}/audit`);
    expect(audit.body.audit.filter((a: { action: string }) => a.action === 'session.linkRevoked')).toHaveLength(1);
  });

  test('a link of another session is NOT_FOUND there', async () => {
    const a = await schedule();
    const b = await schedule();
    const reply = await mediator.post(`/api/sessions/${b.session.id}/links/${partyLink(a).linkId}/revoke`);
    expect([reply.status, reply.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });
});

describe('a single-device link', () => {
  test('is LINK_IN_USE on a second phone while the first keeps working', async () => {
    const s = await schedule();
    const link = partyLink(s);
    const first = await connect(link, 'device-phone-one');
    await join(first, '王秀英');
    expect(await handshake(link, 'device-phone-two')).toBe('LINK_IN_USE');
    expect(first.socket.connected).toBe(true);
    first.close();
    expect(await handshake(link, 'device-phone-one')).toBe('connected');
    const listed = await mediator.get(`/api/cases/${kase.id}/sessions`);
    expect(listed.body.sessions[0].links[0]).toMatchObject({ linkId: link.linkId, deviceBound: true });
  });

  test('the mediator link is not bound to a device', async () => {
    const s = await schedule();
    const own = s.links.find((l) => l.role === 'mediator')!;
    expect(await handshake(own, 'device-desk-computer')).toBe('connected');
    expect(await handshake(own, 'device-mediator-phone')).toBe('connected');
  });
});

describe('who may run sessions', () => {
  const OUTSIDERS: StaffKey[] = [
    'gridMediator2',
    'westGridMediator',
    'districtCoordinator',
    'townshipCoordinator',
    'expert',
    'notary',
    'admin',
  ];

  test('only the mediators of the case: others are FORBIDDEN, anonymous callers UNAUTHENTICATED, 0 successes', async () => {
    const s = await schedule();
    const link = partyLink(s);
    const attempts = async (api: Api) => [
      await api.post(`/api/cases/${kase.id}/sessions`, { scheduledAt: inOneHour() }),
      await api.post(`/api/sessions/${s.session.id}/links`, { role: 'observer', label: '旁听' }),
      await api.post(`/api/sessions/${s.session.id}/links/${link.linkId}/revoke`),
      await api.post(`/api/cases/${kase.id}/recording`, { enabled: true }),
    ];
    const results: Record<string, string[]> = {};
    for (const key of OUTSIDERS) {
      results[key] = (await attempts(await f.as(key))).map((r) => `${r.status} ${r.body.error?.code}`);
    }
    results.anonymous = (await attempts(apiClient(server.url))).map((r) => `${r.status} ${r.body.error?.code}`);
    const expected = Object.fromEntries(
      [...OUTSIDERS, 'anonymous'].map((key) => [
        key,
        Array(4).fill(key === 'anonymous' ? '401 UNAUTHENTICATED' : '403 FORBIDDEN'),
      ]),
    );
    expect(results).toEqual(expected);
    // Nothing changed: one session, its three links, none revoked, recording still off.
    const [counts] = await server.db.query<{ sessions: number; links: number; revoked: number }>(
      `select (select count(*)::int from case_sessions) as sessions, (select count(*)::int from session_links) as links,
              (select count(*)::int from session_links where revoked_at is not null) as revoked`,
    );
    expect(counts).toEqual({ sessions: 1, links: 3, revoked: 0 });
    expect((await mediator.get(`/api/cases/${kase.id}`)).body.case.sessionRecording).toBe(false);
    expect(await handshake(link, 'device-party-a')).toBe('connected');
  });

  test('the committee holding an escalated case schedules its sessions; the grid no longer does', async () => {
    await mediator.post(`/api/cases/${kase.id}/escalate`, { reason: '涉及金额较大，网格无法调解' });
    const township = await f.as('townshipMediator');
    expect((await township.post(`/api/cases/${kase.id}/sessions`, { scheduledAt: inOneHour() })).status).toBe(201);
    const reply = await mediator.post(`/api/cases/${kase.id}/sessions`, { scheduledAt: inOneHour() });
    expect(reply.status).toBe(403);
  });
});

describe('recording', () => {
  test('is off by default; a session of an opted-in case is recorded, and each consent is audited', async () => {
    expect(kase.sessionRecording).toBe(false);
    expect((await schedule()).session.recording).toBe(false);
    const reply = await mediator.post(`/api/cases/${kase.id}/recording`, { enabled: true });
    expect(reply.status).toBe(200);
    expect(reply.body.case.sessionRecording).toBe(true);

    const s = await schedule();
    expect(s.session.recording).toBe(true);
    const link = partyLink(s);
    const party = await connect(link, 'device-party-a');
    const joined = await join(party, '王秀英');
    expect(joined.consented).toBe(false);
    await party.request('session:consentToRecording', {});

    const consent = await eventually(async () => {
      const audit = await mediator.get(`/api/cases/${kase.id}/audit`);
      return audit.body.audit.find((a: { action: string }) => a.action === 'session.recordingConsented');
    });
    expect(consent).toMatchObject({
      actorId: null,
      entity: 'session',
      entityId: s.session.id,
      caseId: kase.id,
      details: { linkId: link.linkId, displayName: '王秀英', role: 'party' },
    });
    const changed = (await mediator.get(`/api/cases/${kase.id}/audit`)).body.audit.find(
      (a: { action: string }) => a.action === 'case.recordingChanged',
    );
    expect(changed.details).toEqual({ from: false, to: true });
  });
});

test('sessions, links and ad-hoc rooms survive a restart on the same database', async () => {
  const own = await createTestDb();
  let first: TestServer | undefined = await startTestServer(env, { db: own.db });
  let second: TestServer | undefined;
  try {
    const fx = await createFixture(first.app, first.url);
    const api = await fx.as('gridMediator');
    const c = await registerCase(api, fx.org.grids.heping1.id);
    const reply = await api.post(`/api/cases/${c.id}/sessions`, { scheduledAt: inOneHour() });
    const link = (reply.body as ScheduledSession).links[0]!;
    const adHoc = await first.createRoom('Ad hoc');
    await first.close();
    first = undefined;

    second = await startTestServer(env, { db: own.db });
    const token = tokenOf(link.url!);
    expect((await fetch(`${second.url}/join/${token}`)).status).toBe(200);
    const client = await TestSignalingClient.connect(second.url, token, { deviceId: 'device-party-a' });
    clients.push(client);
    expect((await join(client, '王秀英')).space).toBe('lobby');
    const mediatorClient = await TestSignalingClient.connect(second.url, tokenOf(adHoc.links.mediator));
    clients.push(mediatorClient);
    expect(
      await second.app.records.records.db.query('select 1 from case_sessions where id = $1', [adHoc.roomId]),
    ).toHaveLength(1);
    expect(adHoc.roomId).not.toBe(reply.body.session.id as RoomId);
  } finally {
    await first?.close();
    await second?.close();
    await own.drop();
  }
});
