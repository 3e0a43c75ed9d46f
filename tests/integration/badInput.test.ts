/**
 * What a hostile or broken client meets on the real server: links refused at
 * the handshake with the right code, bad requests answered with a code while
 * the room stays exactly as it was, and a flooding socket slowed down without
 * slowing anyone else.
 */
import { io } from 'socket.io-client';
import type { RoomId, TransportId } from '../../shared/ids';
import { MAX_REQUEST_BYTES, PROTOCOL_VERSION } from '../../shared/protocol';
import { JoinTokens } from '../../server/links/joinToken';
import { eventually } from '../helpers/eventually';
import { joinRoom, vp8Camera } from '../helpers/joinRoom';
import { TestSignalingClient } from '../helpers/signalingClient';
import { startTestServer, tokenOf, type TestServer } from '../helpers/testServer';

let server: TestServer;
let clients: TestSignalingClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});
afterEach(() => {
  for (const client of clients) client.close();
  clients = [];
});

async function connect(link: string): Promise<TestSignalingClient> {
  const client = await TestSignalingClient.connect(server.url, tokenOf(link));
  clients.push(client);
  return client;
}

/** The connect_error of a handshake with this auth (fails the test if it connects). */
async function handshakeError(auth?: unknown): Promise<{ message: string; data?: { code: string; message: string } }> {
  const socket = io(server.url, {
    ...(auth === undefined ? {} : { auth: auth as Record<string, unknown> }),
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  try {
    return await new Promise((resolve, reject) => {
      socket.once('connect', () => reject(new Error('the handshake was accepted')));
      socket.once('connect_error', (error) => resolve(error as never));
    });
  } finally {
    socket.close();
  }
}

/** The token with the character at `index` replaced by another base64url character. */
function changeCharAt(token: string, index: number): string {
  return token.slice(0, index) + (token[index] === 'A' ? 'B' : 'A') + token.slice(index + 1);
}

/** Everything a request could have changed in a room: who joined, and each media peer's objects. */
async function stateOf(roomId: RoomId) {
  const live = await server.app.rooms.find(roomId);
  if (!live) return null;
  return {
    joined: live.joinedPeers.map((p) => p.peerId).sort(),
    media: live.media.peers
      .map((p) => ({
        peerId: p.peerId,
        transports: p.transports.map((t) => t.id).sort(),
        producers: p.producers.map((x) => x.id).sort(),
        consumers: p.consumers.map((x) => x.id).sort(),
      }))
      .sort((a, b) => a.peerId.localeCompare(b.peerId)),
  };
}

describe('the handshake', () => {
  let roomId: RoomId;
  let partyToken: string;

  beforeAll(async () => {
    const room = await server.createRoom('Handshake');
    roomId = room.roomId;
    partyToken = tokenOf(room.links.party);
  });
  afterEach(async () => {
    // Refused before anything stateful: no live room was created for any of these.
    await expect(server.app.rooms.find(roomId)).resolves.toBeUndefined();
  });

  test('a valid link connects', async () => {
    const client = await TestSignalingClient.connect(server.url, partyToken);
    expect(client.socket.connected).toBe(true);
    client.close();
  });

  test('a garbage token is refused with INVALID_LINK', async () => {
    const error = await handshakeError({ token: 'not-a-token', protocolVersion: PROTOCOL_VERSION });
    expect(error.message).toBe('INVALID_LINK');
    expect(error.data).toEqual({ code: 'INVALID_LINK', message: expect.any(String) });
  });

  test('a token with one character of its signature changed is refused with INVALID_LINK', async () => {
    const tampered = changeCharAt(partyToken, partyToken.lastIndexOf('.') + 10);
    const error = await handshakeError({ token: tampered, protocolVersion: PROTOCOL_VERSION });
    expect(error.message).toBe('INVALID_LINK');
  });

  test('a token with one character of its payload changed is refused with INVALID_LINK', async () => {
    const tampered = changeCharAt(partyToken, partyToken.indexOf('.') + 12);
    const error = await handshakeError({ token: tampered, protocolVersion: PROTOCOL_VERSION });
    expect(error.message).toBe('INVALID_LINK');
  });

  test('an expired token is refused with LINK_EXPIRED', async () => {
    const { token } = await new JoinTokens(server.config.tokenSecret).sign(roomId, 'party', -1);
    const error = await handshakeError({ token, protocolVersion: PROTOCOL_VERSION });
    expect(error.message).toBe('LINK_EXPIRED');
    expect(error.data?.code).toBe('LINK_EXPIRED');
  });

  test('a token signed with another secret is refused with INVALID_LINK', async () => {
    const { token } = await new JoinTokens('some-other-server-secret-0123456789').sign(roomId, 'party', 3600);
    expect((await handshakeError({ token, protocolVersion: PROTOCOL_VERSION })).message).toBe('INVALID_LINK');
  });

  test('a valid token for a room that does not exist is refused with NOT_FOUND', async () => {
    const { token } = await new JoinTokens(server.config.tokenSecret).sign('NoSuchRoom0' as RoomId, 'party', 3600);
    const error = await handshakeError({ token, protocolVersion: PROTOCOL_VERSION });
    expect(error.message).toBe('NOT_FOUND');
    await expect(server.app.rooms.find('NoSuchRoom0' as RoomId)).resolves.toBeUndefined();
  });

  test('a valid token with another protocol version is refused with UNSUPPORTED_PROTOCOL', async () => {
    const error = await handshakeError({ token: partyToken, protocolVersion: PROTOCOL_VERSION + 1 });
    expect(error.message).toBe('UNSUPPORTED_PROTOCOL');
  });

  test('a handshake without auth is refused with INVALID_LINK', async () => {
    expect((await handshakeError()).message).toBe('INVALID_LINK');
  });

  test('a handshake without a protocol version is refused with INVALID_LINK', async () => {
    expect((await handshakeError({ token: partyToken })).message).toBe('INVALID_LINK');
  });

  test('a token that is not a string is refused with INVALID_LINK', async () => {
    expect((await handshakeError({ token: { $ne: null }, protocolVersion: PROTOCOL_VERSION })).message).toBe(
      'INVALID_LINK',
    );
  });

  test('a device id with characters outside its alphabet is refused with INVALID_LINK', async () => {
    const auth = { token: partyToken, protocolVersion: PROTOCOL_VERSION, deviceId: '../../etc' };
    expect((await handshakeError(auth)).message).toBe('INVALID_LINK');
  });
});

describe('bad requests on a connected socket', () => {
  let roomId: RoomId;
  let links: Record<'mediator' | 'party' | 'expert' | 'observer', string>;

  beforeEach(async () => {
    const room = await server.createRoom('Bad input');
    roomId = room.roomId;
    links = room.links;
  });

  test('a payload of the wrong type is BAD_REQUEST and creates no room', async () => {
    const client = await connect(links.party);
    await expect(client.send('media:createTransport', { direction: 5 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('direction') },
    });
    await expect(client.send('media:createTransport', 'send')).resolves.toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await stateOf(roomId)).toBeNull();
  });

  test('a join with a name of the wrong type or with control characters is BAD_REQUEST and joins nobody', async () => {
    const client = await connect(links.party);
    const { rtpCapabilities } = await client.request('room:getRouterRtpCapabilities', {});
    await client.request('media:createTransport', { direction: 'recv' });
    const before = await stateOf(roomId);
    for (const displayName of [42, '', 'Li\u0000Wei', 'x'.repeat(61)]) {
      const response = await client.send('room:join', { displayName, rtpCapabilities });
      expect(response).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    expect(await stateOf(roomId)).toEqual(before);
    expect(before!.joined).toEqual([]);
  });

  test('an unknown request with an ack is BAD_REQUEST and the socket stays usable', async () => {
    const client = await connect(links.party);
    const emit = client.socket.timeout(5000).emitWithAck as unknown as (
      event: string,
      payload: unknown,
    ) => Promise<unknown>;
    await expect(emit.call(client.socket, 'room:destroy', {})).resolves.toEqual({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('room:destroy') },
    });
    await expect(client.send('room:getRouterRtpCapabilities', {})).resolves.toMatchObject({ ok: true });
  });

  test('a payload over MAX_REQUEST_BYTES (but under 64 KiB) is PAYLOAD_TOO_LARGE and the socket stays usable', async () => {
    const client = await connect(links.party);
    const payload = vp8Camera('t1', { parameters: { padding: 'x'.repeat(MAX_REQUEST_BYTES) } });
    expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThan(64 * 1024);
    await expect(client.send('media:produce', payload)).resolves.toMatchObject({
      ok: false,
      error: { code: 'PAYLOAD_TOO_LARGE' },
    });
    expect(client.socket.connected).toBe(true);
    await expect(client.send('room:getRouterRtpCapabilities', {})).resolves.toMatchObject({ ok: true });
  });

  test('a message over 64 KiB ends the connection and leaves no trace in the room', async () => {
    const client = await connect(links.party);
    await client.request('room:getRouterRtpCapabilities', {});
    const disconnected = new Promise<string>((resolve) => client.socket.once('disconnect', resolve));
    client.socket.emit(
      'media:produce',
      vp8Camera('t1', { parameters: { padding: 'x'.repeat(70 * 1024) } }) as never,
      () => {},
    );
    await expect(disconnected).resolves.toBeDefined();
    await eventually(async () => (await stateOf(roomId)) === null, { what: 'the room closed with its only peer' });
  });

  test('media:produce before room:join is NOT_JOINED and creates no producer', async () => {
    const client = await connect(links.party);
    const send = await client.request('media:createTransport', { direction: 'send' });
    const before = await stateOf(roomId);
    const response = await client.send('media:produce', vp8Camera(send.transportId));
    expect(response).toMatchObject({ ok: false, error: { code: 'NOT_JOINED' } });
    expect(await stateOf(roomId)).toEqual(before);
  });

  test('room:join before a recv transport exists is CONFLICT and joins nobody', async () => {
    const client = await connect(links.party);
    const { rtpCapabilities } = await client.request('room:getRouterRtpCapabilities', {});
    const response = await client.send('room:join', { displayName: 'Early', rtpCapabilities });
    expect(response).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect((await stateOf(roomId))!.joined).toEqual([]);
  });

  test('a second room:join on the same socket is CONFLICT and changes nothing', async () => {
    const client = await connect(links.party);
    const { rtpCapabilities } = await joinRoom(client, 'Once');
    const before = await stateOf(roomId);
    const response = await client.send('room:join', { displayName: 'Twice', rtpCapabilities });
    expect(response).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await stateOf(roomId)).toEqual(before);
    const live = await server.app.rooms.find(roomId);
    expect(live!.joinedPeers.map((p) => p.displayName)).toEqual(['Once']);
  });

  test('an observer link asking for a send transport is FORBIDDEN and gets none', async () => {
    const observer = await connect(links.observer);
    const response = await observer.send('media:createTransport', { direction: 'send' });
    expect(response).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const state = await stateOf(roomId);
    expect(state?.media.flatMap((p) => p.transports) ?? []).toEqual([]);
  });

  test('an observer link may still receive: its recv transport and join succeed', async () => {
    const observer = await connect(links.observer);
    const joined = await joinRoom(observer, 'Watcher', { send: false });
    expect(joined.join.self.role).toBe('observer');
    expect((await stateOf(roomId))!.joined).toEqual([joined.join.self.peerId]);
  });

  test('an observer that has joined cannot produce either (FORBIDDEN)', async () => {
    const observer = await connect(links.observer);
    const joined = await joinRoom(observer, 'Watcher', { send: false });
    const before = await stateOf(roomId);
    const response = await observer.send('media:produce', vp8Camera(joined.recv.transportId));
    expect(response).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await stateOf(roomId)).toEqual(before);
  });

  test('a joined party can produce a valid VP8 camera (the success case beside the failures below)', async () => {
    const party = await connect(links.party);
    const joined = await joinRoom(party, 'Sender');
    const response = await party.send('media:produce', vp8Camera(joined.send!.transportId));
    expect(response).toMatchObject({ ok: true, data: { producerId: expect.any(String) } });
  });

  test.each([
    ['a codec the router does not have (H265)', { mimeType: 'video/H265' }],
    ['a malformed mime type', { mimeType: 'VP8' }],
    ['a codec parameter of the wrong type', { parameters: { 'x-google-start-bitrate': { nested: true } } }],
  ])('media:produce with %s is BAD_REQUEST and creates no producer', async (_, codec) => {
    const party = await connect(links.party);
    const joined = await joinRoom(party, 'Sender');
    const before = await stateOf(roomId);
    const response = await party.send('media:produce', vp8Camera(joined.send!.transportId, codec));
    expect(response).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await stateOf(roomId)).toEqual(before);
  });

  test('media:produce of a camera as audio is BAD_REQUEST', async () => {
    const party = await connect(links.party);
    const joined = await joinRoom(party, 'Sender');
    const before = await stateOf(roomId);
    const response = await party.send('media:produce', { ...vp8Camera(joined.send!.transportId), kind: 'audio' });
    expect(response).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await stateOf(roomId)).toEqual(before);
  });

  test("media:produce on someone else's transport is NOT_FOUND", async () => {
    const [a, b] = [await connect(links.party), await connect(links.expert)];
    const aJoined = await joinRoom(a, 'A');
    await joinRoom(b, 'B');
    const before = await stateOf(roomId);
    const response = await b.send('media:produce', vp8Camera(aJoined.send!.transportId));
    expect(response).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await stateOf(roomId)).toEqual(before);
  });

  test('requests naming transports or consumers that do not exist are NOT_FOUND and change nothing', async () => {
    const party = await connect(links.party);
    await joinRoom(party, 'P');
    const before = await stateOf(roomId);
    const fingerprint = { algorithm: 'sha-256', value: 'AA:BB' };
    const responses = await Promise.all([
      party.send('media:connectTransport', {
        transportId: 'no-such-transport' as TransportId,
        dtlsParameters: { fingerprints: [fingerprint] },
      }),
      party.send('media:restartIce', { transportId: 'no-such-transport' }),
      party.send('media:resumeConsumer', { consumerId: 'no-such-consumer' }),
      party.send('media:closeProducer', { producerId: 'no-such-producer' }),
    ]);
    expect(responses.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'NOT_FOUND',
      'NOT_FOUND',
      'NOT_FOUND',
      'NOT_FOUND',
    ]);
    expect(await stateOf(roomId)).toEqual(before);
  });

  test('a flood of 200 requests from one socket is partly RATE_LIMITED while another socket is served', async () => {
    const [flooder, bystander] = [await connect(links.party), await connect(links.expert)];
    const flood = Array.from({ length: 200 }, () => flooder.send('room:getRouterRtpCapabilities', {}));
    const bystanderResponse = await bystander.send('room:getRouterRtpCapabilities', {});
    const responses = await Promise.all(flood);
    const codes = responses.map((r) => (r.ok ? 'ok' : r.error.code));
    const limited = codes.filter((c) => c === 'RATE_LIMITED').length;
    expect(limited).toBeGreaterThan(100);
    expect(codes.filter((c) => c === 'ok').length).toBeGreaterThan(0);
    expect(limited + codes.filter((c) => c === 'ok').length).toBe(200);
    expect(bystanderResponse).toMatchObject({ ok: true });
    expect(flooder.socket.connected).toBe(true);
  });
});
