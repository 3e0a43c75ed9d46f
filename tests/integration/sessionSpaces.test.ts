/**
 * The waiting room and the private caucus on the real server with a real
 * worker: who may see, hear and read whom is checked from the consumers that
 * exist in mediasoup, not from what the server says.
 */
import type { PeerId, RoomId } from '../../shared/ids';
import { eventually } from '../helpers/eventually';
import { liveSession, type LiveSession } from '../helpers/liveSession';
import { startTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
let roomId: RoomId;
let links: Record<string, string>;
let session: LiveSession;

beforeEach(async () => {
  server = await startTestServer();
  const room = await server.createRoom('Neighbours, Building 3', { waitingRoom: true });
  roomId = room.roomId;
  links = room.links;
  session = liveSession(server, roomId);
});

afterEach(async () => {
  session.close();
  await server.close();
});

/** Connects and joins the way the browser does; returns the client and its peer id. */
const join = (role: 'mediator' | 'party', name: string, deviceId: string) => session.join(links[role]!, name, deviceId);
const live = () => session.live();
const produceFor = (peerId: PeerId, ssrc: number) => session.produceFor(peerId, ssrc);
const receivesFrom = (peerId: PeerId) => session.receivesFrom(peerId);

test('parties wait in the lobby, unseen by each other, until the mediator admits them', async () => {
  const mediator = await join('mediator', 'Mediator Zhao', 'device-mediator');
  const a = await join('party', 'Li Wei', 'device-party-a');
  const b = await join('party', 'Wang Fang', 'device-party-b');
  expect(mediator.joined.space).toBe('main');
  expect(a.joined.space).toBe('lobby');
  expect(a.joined.peers).toEqual([]);
  expect(b.joined.peers).toEqual([]);
  expect(a.joined.roster).toBeNull();
  await produceFor(mediator.peerId, 1111);
  await produceFor(a.peerId, 2222);
  await produceFor(b.peerId, 3333);

  const roster = await mediator.client.waitFor('session:rosterChanged', (r) => r.roster.length === 3);
  expect(
    roster.roster
      .filter((e) => e.space === 'lobby')
      .map((e) => e.displayName)
      .sort(),
  ).toEqual(['Li Wei', 'Wang Fang']);
  expect(await receivesFrom(a.peerId)).toEqual([]);
  expect(await receivesFrom(mediator.peerId)).toEqual([]);

  const refused = await a.client.send('session:admit', { peerId: b.peerId });
  expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect((await a.client.send('chat:send', { text: 'hello?' })).ok).toBe(false);
  expect((await live()).spaceOf(b.peerId)).toBe('lobby');

  await mediator.client.request('session:admit', { peerId: a.peerId });
  await mediator.client.request('session:admit', { peerId: b.peerId });
  const moved = await b.client.waitFor('session:spaceChanged');
  expect(moved.space).toBe('main');
  await eventually(async () => (await receivesFrom(b.peerId)).length === 2, { what: 'B receives A and the mediator' });
  expect(await receivesFrom(b.peerId)).toEqual([a.peerId, mediator.peerId].sort());
});

test('a caucus carries no media or chat to the party outside it, and everyone returns afterwards', async () => {
  const mediator = await join('mediator', 'Mediator Zhao', 'device-mediator');
  const a = await join('party', 'Li Wei', 'device-party-a');
  const b = await join('party', 'Wang Fang', 'device-party-b');
  for (const p of [a, b]) await mediator.client.request('session:admit', { peerId: p.peerId });
  await produceFor(mediator.peerId, 1111);
  await produceFor(a.peerId, 2222);
  await produceFor(b.peerId, 3333);
  await eventually(async () => (await receivesFrom(b.peerId)).length === 2, { what: 'joint room media' });

  const { space } = await mediator.client.request('session:openCaucus', { peerIds: [a.peerId] });
  expect(space).toMatch(/^caucus-/);
  expect(await receivesFrom(b.peerId)).toEqual([]);
  expect(await receivesFrom(a.peerId)).toEqual([mediator.peerId]);
  expect(await receivesFrom(mediator.peerId)).toEqual([a.peerId]);
  // Every consumer of a caucus producer, anywhere in the router, belongs to someone in the caucus.
  const room = await live();
  for (const peer of room.media.peers) {
    for (const consumer of peer.consumers) {
      if ([a.peerId, mediator.peerId].includes(consumer.appData.producerPeerId)) {
        expect(room.spaceOf(peer.peerId)).toBe(space);
      }
    }
  }
  await b.client.waitFor('room:peerLeft', (p) => p.peerId === a.peerId);

  await a.client.request('chat:send', { text: '我们可以接受分期付款' });
  await mediator.client.waitFor('chat:messageReceived', (m) => m.text === '我们可以接受分期付款');
  await b.client.request('chat:send', { text: 'anyone there?' });
  expect(b.client.notifications('chat:messageReceived')).toEqual([]);
  expect(a.client.notifications('chat:messageReceived').map((m) => m.text)).not.toContain('anyone there?');

  await mediator.client.request('session:endCaucuses', {});
  await eventually(async () => (await receivesFrom(b.peerId)).length === 2, { what: 'B receives both again' });
  expect(room.spaceOf(a.peerId)).toBe('main');
  expect(room.spaceOf(mediator.peerId)).toBe('main');
});

test('a party who reconnects from the same device returns to the caucus, not the joint room', async () => {
  const mediator = await join('mediator', 'Mediator Zhao', 'device-mediator');
  const a = await join('party', 'Li Wei', 'device-party-a');
  await mediator.client.request('session:admit', { peerId: a.peerId });
  const { space } = await mediator.client.request('session:openCaucus', { peerIds: [a.peerId] });

  a.client.close();
  await mediator.client.waitFor('room:peerLeft', (p) => p.peerId === a.peerId);
  const again = await join('party', 'Li Wei', 'device-party-a');
  expect(again.joined.space).toBe(space);
  expect(again.joined.peers.map((p) => p.peerId)).toEqual([mediator.peerId]);

  // Another device with the same link is another person: they wait in the lobby.
  const other = await join('party', 'Someone else', 'device-other');
  expect(other.joined.space).toBe('lobby');
});

test('a removed party is told why, disconnected, and waits in the lobby if they come back', async () => {
  const mediator = await join('mediator', 'Mediator Zhao', 'device-mediator');
  const b = await join('party', 'Wang Fang', 'device-party-b');
  await mediator.client.request('session:admit', { peerId: b.peerId });
  await mediator.client.request('session:remove', { peerId: b.peerId });
  await b.client.waitFor('session:removed', (r) => r.reason === 'removedByMediator');
  await eventually(() => !b.client.socket.connected, { what: 'B disconnected' });
  expect((await live()).joinedPeers.map((p) => p.peerId)).toEqual([mediator.peerId]);
  const back = await join('party', 'Wang Fang', 'device-party-b');
  expect(back.joined.space).toBe('lobby');
});

test('moderation requests are refused to parties and to unknown spaces', async () => {
  const mediator = await join('mediator', 'Mediator Zhao', 'device-mediator');
  const a = await join('party', 'Li Wei', 'device-party-a');
  for (const [name, payload] of [
    ['session:openCaucus', { peerIds: [mediator.peerId] }],
    ['session:move', { peerId: a.peerId, space: 'main' }],
    ['session:endCaucuses', {}],
    ['session:remove', { peerId: mediator.peerId }],
    ['session:sendToLobby', { peerId: mediator.peerId }],
  ] as const) {
    expect(await a.client.send(name, payload)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  }
  const unknown = await mediator.client.send('session:move', { peerId: a.peerId, space: 'caucus-99' });
  expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  const badSpace = await mediator.client.send('session:move', { peerId: a.peerId, space: 'elsewhere' });
  expect(badSpace).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  expect((await live()).spaceOf(a.peerId)).toBe('lobby');
});
