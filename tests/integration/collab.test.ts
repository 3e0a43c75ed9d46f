/**
 * The co-editing endpoint in the real app, with the official y-websocket
 * provider as the client: syncing and converging, what each role may do to
 * the agreement, and refusals before the websocket is accepted.
 */
import type { RoomId } from '../../shared/ids';
import {
  addComment,
  agreementRoots,
  appendClause,
  canonicalText,
  paragraph,
  readComments,
} from '../../shared/agreement';
import type { CaseView } from '../../server/cases/CaseService';
import { JoinTokens } from '../../server/links/joinToken';
import { hashToken } from '../../server/staff/authenticate';
import type { Actor } from '../../server/authz/actor';
import { collabUrl, connectProvider, rawSocket, type Credentials, type TestProvider } from '../helpers/collabClient';
import { eventually, sleep } from '../helpers/eventually';
import { createFixture, registerCase, type Fixture } from '../helpers/records';
import { startTestServer, tokenOf, type TestServer } from '../helpers/testServer';
import type { RoomLinks } from '../../server/http/routes';

jest.setTimeout(30_000);

let server: TestServer;
let f: Fixture;
let kase: CaseView;
let otherCase: CaseView;
let room: RoomLinks;
let otherRoom: RoomLinks;
const roomCases = new Map<RoomId, string>();
/** Rooms whose case takes 1.5 s to look up (a slow database). */
const slowRooms = new Set<RoomId>();
const providers: TestProvider[] = [];

const link = (links: RoomLinks, role: keyof RoomLinks['links']): Credentials => ({ link: tokenOf(links.links[role]) });
const staff = async (key: Parameters<Fixture['as']>[0]): Promise<Credentials> => ({ bearer: (await f.as(key)).token! });

function connect(credentials: Credentials, caseId: string = kase.id): TestProvider {
  const p = connectProvider(server.url, caseId, credentials);
  providers.push(p);
  return p;
}

/** The agreement as the server holds it. */
async function serverText(caseId: string = kase.id): Promise<string> {
  const doc = await server.app.collab.documentForTesting(caseId as never);
  if (!doc) throw new Error('document not loaded');
  return canonicalText(doc.doc);
}

async function actorOf(key: Parameters<Fixture['as']>[0]): Promise<Actor> {
  const session = await server.app.records.records.read.sessions.actorForToken(
    hashToken((await f.as(key)).token!),
    new Date(),
  );
  return session!.actor;
}

beforeAll(async () => {
  server = await startTestServer(
    {},
    {
      appDeps: {
        caseIdOfRoom: async (roomId) => {
          if (slowRooms.has(roomId)) await sleep(1500);
          return (roomCases.get(roomId) as never) ?? null;
        },
      },
    },
  );
  f = await createFixture(server.app, server.url);
  const mediator = await f.as('gridMediator');
  kase = await registerCase(mediator, f.org.grids.heping1.id);
  otherCase = await registerCase(mediator, f.org.grids.heping1.id, { summary: '另一起纠纷。' });
  room = await server.createRoom('Mediation');
  otherRoom = await server.createRoom('Other mediation');
  roomCases.set(room.roomId, kase.id);
  roomCases.set(otherRoom.roomId, otherCase.id);
});

afterEach(() => {
  for (const p of providers.splice(0)) p.destroy();
});

afterAll(async () => {
  await server?.close();
});

describe('syncing', () => {
  test('the y-websocket provider syncs the agreement template, made from the case, to the mediator', async () => {
    const mediator = connect(await staff('gridMediator'));
    await mediator.synced();
    await eventually(() => canonicalText(mediator.doc).includes(kase.caseNo), { what: 'case number in the text' });
    const text = canonicalText(mediator.doc);
    expect(text).toContain('申请人：王秀英');
    // The case keeps the ID number encrypted; the agreement (and its update log) only its last four characters.
    expect(text).toContain('身份证号码：**************0021');
    expect(text).not.toContain('110101195003070021');
    expect(text).toContain('被申请人：李建国');
    expect(text).toBe(await serverText());
  });

  test('two providers, a staff login and a party link, converge on each other’s edits', async () => {
    const a = connect(await staff('gridMediator'));
    const b = connect(link(room, 'party'));
    await Promise.all([a.synced(), b.synced()]);
    appendClause(a.doc, '李建国于2025年3月1日前赔偿王秀英维修费人民币3000元。');
    agreementRoots(b.doc).facts.insert(0, [paragraph('2024年12月，楼上卫生间漏水。')]);
    await eventually(() => canonicalText(a.doc) === canonicalText(b.doc) && canonicalText(a.doc).includes('漏水。'), {
      what: 'both edits on both sides',
    });
    expect(canonicalText(a.doc)).toContain('3000元');
    await eventually(async () => (await serverText()) === canonicalText(a.doc), { what: 'server has both' });
  });
});

describe('read-only roles', () => {
  test.each([
    ['an observer link', () => Promise.resolve(link(room, 'observer'))],
    ['a coordinator of the district', () => staff('districtCoordinator')],
    ['a mediator of the township who does not hold the case', () => staff('townshipMediator')],
  ])(
    '%s reads the agreement, and an update of theirs closes the connection (4403) and changes nothing',
    async (_who, creds) => {
      const reader = connect(await creds());
      await reader.synced();
      const before = await serverText();
      await eventually(() => canonicalText(reader.doc) === before, { what: 'reader has the text' });

      appendClause(reader.doc, '被申请人无需赔偿。');
      await eventually(() => reader.closedBy, { what: 'connection closed' });
      expect(reader.closedBy).toEqual({ code: 4403, reason: expect.stringMatching(/read-only/) });
      await sleep(100);
      expect(await serverText()).toBe(before);
      expect(reader.provider.shouldConnect).toBe(false); // 44xx: the provider does not retry

      const fresh = connect(await staff('gridMediator'));
      await fresh.synced();
      expect(canonicalText(fresh.doc)).toBe(before);
      expect(canonicalText(fresh.doc)).not.toContain('无需赔偿');
    },
  );
});

describe('comment-only parties', () => {
  afterEach(async () => {
    await server.app.collab.setPartyAccess(await actorOf('gridMediator'), kase.id as never, 'edit');
  });

  test('once the case is set to comment-only, a party adds a comment but a change to the text is refused', async () => {
    const mediator = connect(await staff('gridMediator'));
    await mediator.synced();
    await server.app.collab.setPartyAccess(await actorOf('gridMediator'), kase.id as never, 'comment');

    const party = connect(link(room, 'party'));
    await party.synced();
    addComment(party.doc, {
      id: 'c1',
      authorName: '王秀英',
      authorRole: 'party',
      createdAt: new Date().toISOString(),
      body: '赔偿金额请写清楚是否含税。',
      section: 'clauses:0',
      resolved: false,
    });
    await eventually(() => readComments(mediator.doc).some((c) => c.id === 'c1'), {
      what: 'mediator sees the comment',
    });
    const before = await serverText();

    agreementRoots(party.doc).disputes.insert(0, [paragraph('赔偿金额过低。')]);
    await eventually(() => party.closedBy, { what: 'party closed' });
    expect(party.closedBy).toEqual({ code: 4403, reason: expect.stringMatching(/comment-only/) });
    await sleep(100);
    expect(await serverText()).toBe(before);
    expect(canonicalText(mediator.doc)).toBe(before);
  });

  test('a party already connected with edit rights becomes comment-only at once when the setting changes', async () => {
    const party = connect(link(room, 'party'));
    await party.synced();
    await server.app.collab.setPartyAccess(await actorOf('gridMediator'), kase.id as never, 'comment');
    const before = await serverText();
    agreementRoots(party.doc).meta.set('deadline', '2030-01-01');
    await eventually(() => party.closedBy, { what: 'party closed' });
    expect(party.closedBy?.code).toBe(4403);
    expect(await serverText()).toBe(before);
  });

  test('only who may configure the case changes the setting', async () => {
    await expect(
      server.app.collab.setPartyAccess(await actorOf('districtCoordinator'), kase.id as never, 'comment'),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('upgrades', () => {
  test('an upgrade that takes longer than a second to authorize still opens (socket.io leaves it alone)', async () => {
    const slow = await server.createRoom('Slow lookups');
    roomCases.set(slow.roomId, kase.id);
    slowRooms.add(slow.roomId);
    const started = Date.now();
    const opened = await rawSocket(`${collabUrl(server.url)}/${kase.id}?token=${tokenOf(slow.links.party)}`);
    expect(Date.now() - started).toBeGreaterThan(1400);
    expect('ws' in opened).toBe(true);
    if ('ws' in opened) opened.ws.close();
  });

  test('an upgrade to a path nobody serves is answered 404', async () => {
    const reply = await rawSocket(`${server.url.replace(/^http/, 'ws')}/nothing-here`);
    expect(reply).toMatchObject({ status: 404 });
  });
});

describe('refused before the websocket is accepted', () => {
  const url = (caseId: string, query = '') => `${collabUrl(server.url)}/${caseId}${query}`;

  test('no credentials: 401', async () => {
    expect(await rawSocket(url(kase.id))).toMatchObject({ status: 401 });
  });

  test('a link of another case’s session: 403', async () => {
    expect(await rawSocket(url(kase.id, `?token=${tokenOf(otherRoom.links.party)}`))).toMatchObject({ status: 403 });
  });

  test('a link of a room that belongs to no case: 403', async () => {
    const loose = await server.createRoom('No case');
    expect(await rawSocket(url(kase.id, `?token=${tokenOf(loose.links.mediator)}`))).toMatchObject({ status: 403 });
  });

  test('a tampered or expired link: 401', async () => {
    const token = tokenOf(room.links.party);
    expect(await rawSocket(url(kase.id, `?token=${token.slice(0, -2)}xx`))).toMatchObject({ status: 401 });
    const expired = await new JoinTokens(server.config.tokenSecret).sign(room.roomId, 'party', -60);
    expect(await rawSocket(url(kase.id, `?token=${expired.token}`))).toMatchObject({
      status: 401,
      body: expect.stringContaining('LINK_EXPIRED'),
    });
  });

  test('a link the mediator has revoked opens nothing: 410, as at the join page', async () => {
    // A room of its own: revoking must not touch the links the other tests use.
    const other = await server.createRoom('Revoked');
    const token = tokenOf(other.links.party);
    const { linkId } = await new JoinTokens(server.config.tokenSecret).verify(token);
    await server.db.query('update session_links set revoked_at = now() where id = $1', [linkId]);
    expect(await rawSocket(url(kase.id, `?token=${token}`))).toMatchObject({
      status: 410,
      body: expect.stringContaining('LINK_REVOKED'),
    });
  });

  test('staff of another district, an expert account, an administrator: 403', async () => {
    for (const key of ['westGridMediator', 'expert', 'admin'] as const) {
      expect(await rawSocket(url(kase.id), { authorization: `Bearer ${(await f.as(key)).token}` })).toMatchObject({
        status: 403,
      });
    }
  });

  test('a session cookie sent from another site’s page: 403; from our own page it opens', async () => {
    const cookie = `gridroom_session=${(await f.as('gridMediator')).token}`;
    expect(await rawSocket(url(kase.id), { cookie, origin: 'https://evil.example' })).toMatchObject({ status: 403 });
    const own = await rawSocket(url(kase.id), { cookie, origin: server.url });
    expect(own).toHaveProperty('ws');
    if ('ws' in own) own.ws.close();
  });

  test('an unknown case: 404, and a path that is not a case id: 404', async () => {
    const bearer = { authorization: `Bearer ${(await f.as('gridMediator')).token}` };
    expect(await rawSocket(url('00000000-0000-4000-8000-000000000000'), bearer)).toMatchObject({ status: 404 });
    expect(await rawSocket(url('not-a-case'), bearer)).toMatchObject({ status: 404 });
  });

  test('socket.io still upgrades on its own path', async () => {
    const { io } = await import('socket.io-client');
    const socket = io(server.url, { transports: ['websocket'], auth: {}, reconnection: false });
    const outcome = await new Promise<string>((resolve) => {
      socket.on('connect', () => resolve('connected'));
      socket.on('connect_error', (error) => resolve(error.message));
    });
    socket.close();
    // Refused by socket.io's own auth middleware (no link): its answer, not ours.
    expect(outcome).toBe('INVALID_LINK');
  });
});

describe('presence', () => {
  test('the awareness of a dozen providers reaches all of them (their echoes too), and one that leaves disappears', async () => {
    const clients = [
      connect(await staff('gridMediator')),
      ...Array.from({ length: 11 }, () => connect(link(room, 'party'))),
    ];
    await Promise.all(clients.map((c) => c.synced()));
    clients.forEach((c, i) => c.provider.awareness.setLocalState({ user: { name: `参与者${i}` } }));
    const seen = (c: TestProvider) => [...c.provider.awareness.getStates().values()].filter((s) => s.user).length;
    await eventually(() => clients.every((c) => seen(c) === 12), { what: 'everyone sees everyone' });

    const leaving = clients.pop()!;
    leaving.destroy();
    await eventually(() => clients.every((c) => seen(c) === 11), { what: 'the one who left is gone' });
    expect(clients.map((c) => c.closedBy)).toEqual(clients.map(() => undefined));
  });
});
