/**
 * An expert in a session with the parties, on the real server and a real
 * worker: each party is asked, and until that party agrees, the SFU makes no
 * consumer between them and the expert (read from mediasoup); the agreement
 * stays closed to the expert until every party who joined has agreed; a
 * change of mind closes what flowed.
 */
import type { RoomId } from '../../shared/ids';
import { appendClause, canonicalText } from '../../shared/agreement';
import { collabUrl, connectProvider, rawSocket } from '../helpers/collabClient';
import { eventually } from '../helpers/eventually';
import { liveSession, type LiveSession } from '../helpers/liveSession';
import { startTestServer, tokenOf, type TestServer } from '../helpers/testServer';

let server: TestServer;
let session: LiveSession;
let links: Record<string, string>;
const CASE_ID = '6f1c2a9e-3b7d-4e15-9a0b-2c4d6e8f0a1b';
const roomCases = new Map<RoomId, string>();

beforeEach(async () => {
  server = await startTestServer(
    {},
    { appDeps: { caseIdOfRoom: async (roomId) => (roomCases.get(roomId) as never) ?? null } },
  );
  const room = await server.createRoom('Traffic accident', { waitingRoom: false });
  roomCases.set(room.roomId, CASE_ID);
  links = room.links;
  session = liveSession(server, room.roomId);
});

afterEach(async () => {
  session.close();
  await server.close();
});

/** The upgrade's answer for an expert link opening the agreement: 'open', or the HTTP status. */
async function agreementFor(link: string): Promise<'open' | number> {
  const reply = await rawSocket(`${collabUrl(server.url)}/${CASE_ID}?token=${tokenOf(link)}`);
  if ('ws' in reply) {
    reply.ws.close();
    return 'open';
  }
  return reply.status;
}

test('no media between an expert and a party until that party agrees; the agreement opens when all have', async () => {
  const mediator = await session.join(links.mediator!, 'Mediator Zhao', 'device-mediator');
  const a = await session.join(links.party!, 'Li Wei', 'device-party-a');
  const b = await session.join(links.party!, 'Wang Fang', 'device-party-b');
  const expert = await session.join(links.expert!, 'Dr Sun (traffic)', 'device-expert');
  for (const [who, ssrc] of [
    [mediator, 1111],
    [a, 2222],
    [b, 3333],
    [expert, 4444],
  ] as const) {
    await session.produceFor(who.peerId, ssrc);
  }

  // Both parties are asked; the mediator and the expert see and hear each other at once.
  await a.client.waitFor('session:expertConsentRequested', (n) => n.expert.peerId === expert.peerId);
  await b.client.waitFor('session:expertConsentRequested', (n) => n.expert.peerId === expert.peerId);
  await eventually(async () => (await session.receivesFrom(expert.peerId)).includes(mediator.peerId), {
    what: 'the expert receives the mediator',
  });
  expect(await session.receivesFrom(expert.peerId)).not.toContain(a.peerId);
  expect(await session.receivesFrom(a.peerId)).not.toContain(expert.peerId);
  expect(await agreementFor(links.expert!)).toBe(403);

  // Li Wei agrees: media flows between them both ways; Wang Fang still sees nothing of the expert.
  await a.client.request('session:consentToExpert', { expertPeerId: expert.peerId, consent: true });
  await eventually(async () => (await session.receivesFrom(a.peerId)).includes(expert.peerId), {
    what: 'the agreeing party receives the expert',
  });
  await eventually(async () => (await session.receivesFrom(expert.peerId)).includes(a.peerId), {
    what: 'the expert receives the agreeing party',
  });
  expect(await session.receivesFrom(b.peerId)).not.toContain(expert.peerId);
  expect(await session.receivesFrom(expert.peerId)).not.toContain(b.peerId);
  expect(await agreementFor(links.expert!)).toBe(403);

  // Wang Fang agrees too: the expert is cleared and may open the agreement; the mediator's roster says so.
  await b.client.request('session:consentToExpert', { expertPeerId: expert.peerId, consent: true });
  await expert.client.waitFor('session:expertConsentChanged', (n) => n.cleared);
  await mediator.client.waitFor('session:rosterChanged', (r) =>
    r.roster.some((e) => e.peerId === expert.peerId && e.expertConsent?.cleared === true),
  );
  expect(await agreementFor(links.expert!)).toBe('open');
  // Open, and read-only: an expert's edit closes the connection (4403) and changes nothing.
  const reader = connectProvider(server.url, CASE_ID, { link: tokenOf(links.expert!) });
  try {
    await reader.synced();
    appendClause(reader.doc, '专家：责任比例七三开。');
    await eventually(() => reader.closedBy, { what: 'the expert’s connection closed' });
    expect(reader.closedBy?.code).toBe(4403);
    const doc = await server.app.collab.documentForTesting(CASE_ID as never);
    expect(canonicalText(doc!.doc)).not.toContain('七三开');
  } finally {
    reader.destroy();
  }

  // A change of mind closes what flowed between them.
  await b.client.request('session:consentToExpert', { expertPeerId: expert.peerId, consent: false });
  await eventually(async () => !(await session.receivesFrom(b.peerId)).includes(expert.peerId), {
    what: 'the consumers between them closed',
  });
  expect(await session.receivesFrom(expert.peerId)).not.toContain(b.peerId);
  const changed = await expert.client.waitFor('session:expertConsentChanged', (n) => n.declinedBy.length === 1);
  expect(changed).toEqual({ cleared: false, declinedBy: ['Wang Fang'] });
});

test('only a party answers for an expert, and only for an expert', async () => {
  const mediator = await session.join(links.mediator!, 'Mediator Zhao', 'device-mediator');
  const a = await session.join(links.party!, 'Li Wei', 'device-party-a');
  const expert = await session.join(links.expert!, 'Dr Sun', 'device-expert');
  await expect(
    mediator.client.request('session:consentToExpert', { expertPeerId: expert.peerId, consent: true }),
  ).rejects.toThrow(/FORBIDDEN/);
  await expect(
    a.client.request('session:consentToExpert', { expertPeerId: mediator.peerId, consent: true }),
  ).rejects.toThrow(/CONFLICT/);
  await expect(
    a.client.request('session:consentToExpert', { expertPeerId: expert.peerId, consent: 'yes' } as never),
  ).rejects.toThrow(/BAD_REQUEST/);
  expect(await session.receivesFrom(a.peerId)).not.toContain(expert.peerId);
});
