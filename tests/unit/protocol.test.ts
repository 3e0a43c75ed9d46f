/**
 * The wire contract (shared/protocol.ts) and the one path every request takes
 * (defineHandler): what is accepted, what is refused with which code, and that
 * a refused request never reaches its handler.
 */
import { errors as mediasoupErrors } from 'mediasoup';
import pino from 'pino';
import { Writable } from 'node:stream';
import { AppError } from '../../shared/errors';
import {
  consumerIdSchema,
  peerIdSchema,
  roomIdSchema,
  transportIdSchema,
  type PeerId,
  type RoomId,
} from '../../shared/ids';
import {
  handshakeAuthSchema,
  MAX_REQUEST_BYTES,
  peerInfoSchema,
  PROTOCOL_VERSION,
  requests,
} from '../../shared/protocol';
import type { ConnectionContext } from '../../server/signaling/ConnectionContext';
import { defineHandler } from '../../server/signaling/defineHandler';
import { RateLimiter } from '../../server/signaling/RateLimiter';
import type { LiveRooms } from '../../server/rooms/LiveRooms';

const vp8 = { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 };
const validProduce = {
  transportId: 'a1b2c3d4-e5f6',
  kind: 'video',
  source: 'camera',
  rtpParameters: { codecs: [vp8], encodings: [{ ssrc: 22222222 }] },
};
const validJoin = {
  displayName: 'Li Wei',
  rtpCapabilities: { codecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] },
};

const accepts = (schema: { safeParse(v: unknown): { success: boolean } }, value: unknown) =>
  schema.safeParse(value).success;

describe('ids', () => {
  test.each(['abc', 'A-b_9', 'a'.repeat(64), '0f3e1c2a-7b9d-4e6f-8a1b-2c3d4e5f6a7b'])('"%s" is a valid id', (id) => {
    expect(accepts(peerIdSchema, id)).toBe(true);
  });

  test.each(['', 'a b', 'a/b', '../etc', 'id;drop', 'é', 'a'.repeat(65), '__proto__.x'])(
    '"%s" is refused as an id',
    (id) => {
      for (const schema of [roomIdSchema, peerIdSchema, transportIdSchema, consumerIdSchema]) {
        expect(accepts(schema, id)).toBe(false);
      }
    },
  );

  test('a number is refused as an id', () => {
    expect(accepts(roomIdSchema, 12345)).toBe(false);
  });
});

describe('handshake auth', () => {
  test('a token and an integer protocol version are accepted', () => {
    expect(accepts(handshakeAuthSchema, { token: 'x.y.z', protocolVersion: PROTOCOL_VERSION })).toBe(true);
  });

  test.each([
    ['no token', { protocolVersion: 1 }],
    ['an empty token', { token: '', protocolVersion: 1 }],
    ['a token over 4096 characters', { token: 'x'.repeat(4097), protocolVersion: 1 }],
    ['a string protocol version', { token: 'x', protocolVersion: '1' }],
    ['a fractional protocol version', { token: 'x', protocolVersion: 1.5 }],
    ['nothing at all', undefined],
  ])('%s is refused', (_, auth) => {
    expect(accepts(handshakeAuthSchema, auth)).toBe(false);
  });
});

describe('room:join display names', () => {
  const join = requests['room:join'].payload;
  const withName = (displayName: unknown) => ({ ...validJoin, displayName });

  test('a name is trimmed', () => {
    const parsed = join.parse(withName('   Wang Fang  '));
    expect(parsed.displayName).toBe('Wang Fang');
  });

  test('Chinese names and punctuation are accepted', () => {
    expect(join.parse(withName('调解员 王芳 (法院)')).displayName).toBe('调解员 王芳 (法院)');
  });

  test('60 characters are accepted, 61 are refused', () => {
    expect(accepts(join, withName('名'.repeat(60)))).toBe(true);
    expect(accepts(join, withName('名'.repeat(61)))).toBe(false);
  });

  test('the limit of 60 counts after trimming', () => {
    expect(accepts(join, withName(`  ${'a'.repeat(60)}  `))).toBe(true);
  });

  test('an empty or blank name is refused', () => {
    expect(accepts(join, withName(''))).toBe(false);
    expect(accepts(join, withName('   '))).toBe(false);
  });

  test.each([
    ['a bell', 'Li\u0007Wei'],
    ['a newline', 'Li\nWei'],
    ['an escape sequence', '\u001b[31mred'],
    ['a zero-width space', 'Li\u200bWei'],
    ['a right-to-left override', 'Li\u202eieW'],
  ])('a name with %s is refused', (_, name) => {
    expect(accepts(join, withName(name))).toBe(false);
  });

  test('a name that is not a string is refused', () => {
    expect(accepts(join, withName(42))).toBe(false);
  });
});

describe('request payloads', () => {
  test('room:join with an extra key is refused (strict)', () => {
    expect(accepts(requests['room:join'].payload, validJoin)).toBe(true);
    expect(accepts(requests['room:join'].payload, { ...validJoin, role: 'mediator' })).toBe(false);
  });

  test('room:join keeps capability fields that newer browsers add (loose)', () => {
    const caps = { codecs: [{ ...validJoin.rtpCapabilities.codecs[0], futureField: true }], extra: 1 };
    const parsed = requests['room:join'].payload.parse({ ...validJoin, rtpCapabilities: caps });
    expect(parsed.rtpCapabilities).toMatchObject({ extra: 1, codecs: [{ futureField: true }] });
  });

  test('room:join with a capability of an unknown kind is refused', () => {
    const caps = { codecs: [{ kind: 'data', mimeType: 'x/y', clockRate: 1 }] };
    expect(accepts(requests['room:join'].payload, { ...validJoin, rtpCapabilities: caps })).toBe(false);
  });

  test('media:createTransport accepts send and recv only', () => {
    const schema = requests['media:createTransport'].payload;
    expect(accepts(schema, { direction: 'send' })).toBe(true);
    expect(accepts(schema, { direction: 'recv' })).toBe(true);
    expect(accepts(schema, { direction: 'both' })).toBe(false);
    expect(accepts(schema, { direction: 1 })).toBe(false);
    expect(accepts(schema, {})).toBe(false);
  });

  test('media:createTransport with an extra key is refused (strict)', () => {
    expect(accepts(requests['media:createTransport'].payload, { direction: 'send', enableTcp: false })).toBe(false);
  });

  test('room:leave and room:getRouterRtpCapabilities accept only an empty object', () => {
    for (const name of ['room:leave', 'room:getRouterRtpCapabilities'] as const) {
      expect(accepts(requests[name].payload, {})).toBe(true);
      expect(accepts(requests[name].payload, { roomId: 'x' })).toBe(false);
    }
  });

  test('media:produce accepts a VP8 camera', () => {
    expect(accepts(requests['media:produce'].payload, validProduce)).toBe(true);
  });

  test.each([
    ['a transport id with bad characters', { ...validProduce, transportId: 'abc/../def' }],
    ['an unknown kind', { ...validProduce, kind: 'data' }],
    ['an unknown source', { ...validProduce, source: 'desktop' }],
    ['no codecs', { ...validProduce, rtpParameters: { codecs: [] } }],
    ['a payload type over 127', { ...validProduce, rtpParameters: { codecs: [{ ...vp8, payloadType: 128 }] } }],
    ['a clock rate of zero', { ...validProduce, rtpParameters: { codecs: [{ ...vp8, clockRate: 0 }] } }],
    ['a string ssrc', { ...validProduce, rtpParameters: { codecs: [vp8], encodings: [{ ssrc: '1' }] } }],
    ['rtpParameters as a string', { ...validProduce, rtpParameters: '{"codecs":[]}' }],
    ['an extra key', { ...validProduce, appData: { peerId: 'someone-else' } }],
  ])('media:produce with %s is refused', (_, payload) => {
    expect(accepts(requests['media:produce'].payload, payload)).toBe(false);
  });

  test('media:connectTransport needs at least one fingerprint', () => {
    const schema = requests['media:connectTransport'].payload;
    const fingerprint = { algorithm: 'sha-256', value: 'AB:CD' };
    expect(
      accepts(schema, { transportId: 't1', dtlsParameters: { role: 'client', fingerprints: [fingerprint] } }),
    ).toBe(true);
    expect(accepts(schema, { transportId: 't1', dtlsParameters: { role: 'client', fingerprints: [] } })).toBe(false);
    expect(accepts(schema, { transportId: 't1', dtlsParameters: { role: 'boss', fingerprints: [fingerprint] } })).toBe(
      false,
    );
  });

  test('media:setProducerPaused needs a boolean', () => {
    const schema = requests['media:setProducerPaused'].payload;
    expect(accepts(schema, { producerId: 'p1', paused: true })).toBe(true);
    expect(accepts(schema, { producerId: 'p1', paused: 'true' })).toBe(false);
  });

  test('peer info needs a known role', () => {
    expect(accepts(peerInfoSchema, { peerId: 'p1', displayName: 'x', role: 'expert' })).toBe(true);
    expect(accepts(peerInfoSchema, { peerId: 'p1', displayName: 'x', role: 'admin' })).toBe(false);
  });
});

// ---------------------------------------------------------------------------

interface FakeContext {
  ctx: ConnectionContext;
  /** What was logged, as pino objects. */
  logs: { level: number; msg: string; err?: { message: string } }[];
}

/** An in-memory ConnectionContext: a real pino logger writing to an array, and no rooms (handlers here need none). */
function fakeContext(rateLimiter = new RateLimiter(1000, 0)): FakeContext {
  const logs: FakeContext['logs'] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      callback();
    },
  });
  const ctx: ConnectionContext = {
    peerId: 'peer-1' as PeerId,
    roomId: 'room-1' as RoomId,
    role: 'party',
    participantKey: 'link-1:device-1',
    settings: { title: 'Unit room', waitingRoom: false, recording: false },
    log: pino({ level: 'debug' }, sink),
    notify: () => undefined,
    rooms: {} as LiveRooms,
    rateLimiter,
    isConnected: () => true,
    disconnect: () => undefined,
    afterAck: () => undefined,
  };
  return { ctx, logs };
}

describe('defineHandler', () => {
  test('a valid payload reaches the handler parsed and its result is acked as ok', async () => {
    const fn = jest.fn(() => ({ rtpCapabilities: { codecs: [] } }));
    const handler = defineHandler('room:getRouterRtpCapabilities', fn);
    const { ctx } = fakeContext();
    await expect(handler.run(ctx, {})).resolves.toEqual({ ok: true, data: { rtpCapabilities: { codecs: [] } } });
    expect(fn).toHaveBeenCalledWith(ctx, {});
  });

  test('the handler sees the parsed payload (the display name trimmed)', async () => {
    const fn = jest.fn((_ctx: ConnectionContext, payload: { displayName: string }) => {
      return { roomId: 'room-1', self: { displayName: payload.displayName }, peers: [], activeSpeakerPeerId: null };
    });
    const handler = defineHandler('room:join', fn as never);
    const response = await handler.run(fakeContext().ctx, { ...validJoin, displayName: '  Li Wei ' });
    expect(response.ok).toBe(true);
    expect(fn.mock.calls[0]![1].displayName).toBe('Li Wei');
  });

  test('a missing payload counts as an empty object', async () => {
    const fn = jest.fn(() => ({}));
    const response = await defineHandler('room:leave', fn).run(fakeContext().ctx, undefined);
    expect(response).toEqual({ ok: true, data: {} });
    expect(fn).toHaveBeenCalledTimes(1);
  });

  test('a bad payload is answered BAD_REQUEST naming the field, and the handler is never called', async () => {
    const fn = jest.fn();
    const response = await defineHandler('media:createTransport', fn).run(fakeContext().ctx, { direction: 7 });
    expect(response).toEqual({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^direction: /) },
    });
    expect(fn).not.toHaveBeenCalled();
  });

  test('a payload with an extra key is answered BAD_REQUEST and the handler is never called', async () => {
    const fn = jest.fn();
    const response = await defineHandler('media:produce', fn).run(fakeContext().ctx, { ...validProduce, x: 1 });
    expect(response).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(fn).not.toHaveBeenCalled();
  });

  test('a payload that is not an object is answered BAD_REQUEST', async () => {
    const fn = jest.fn();
    for (const payload of ['send', 42, null, [1, 2]]) {
      const response = await defineHandler('media:createTransport', fn).run(fakeContext().ctx, payload);
      expect(response).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    expect(fn).not.toHaveBeenCalled();
  });

  test('a payload over MAX_REQUEST_BYTES is answered PAYLOAD_TOO_LARGE before validation, the handler never called', async () => {
    const fn = jest.fn();
    // Valid in shape (loose objects keep extra fields), so only the size can refuse it.
    const big = {
      ...validProduce,
      rtpParameters: { ...validProduce.rtpParameters, note: 'x'.repeat(MAX_REQUEST_BYTES) },
    };
    expect(accepts(requests['media:produce'].payload, big)).toBe(true);
    const response = await defineHandler('media:produce', fn).run(fakeContext().ctx, big);
    expect(response).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(fn).not.toHaveBeenCalled();
  });

  test('a payload just under MAX_REQUEST_BYTES is let through', async () => {
    const fn = jest.fn(() => ({ producerId: 'p1' }));
    const base = { ...validProduce, rtpParameters: { ...validProduce.rtpParameters, note: '' } };
    const room = MAX_REQUEST_BYTES - Buffer.byteLength(JSON.stringify(base));
    const payload = { ...base, rtpParameters: { ...base.rtpParameters, note: 'x'.repeat(room) } };
    expect(Buffer.byteLength(JSON.stringify(payload))).toBe(MAX_REQUEST_BYTES);
    const response = await defineHandler('media:produce', fn as never).run(fakeContext().ctx, payload);
    expect(response.ok).toBe(true);
  });

  test('a cyclic payload is answered PAYLOAD_TOO_LARGE instead of crashing', async () => {
    const fn = jest.fn();
    const cyclic: Record<string, unknown> = { direction: 'send' };
    cyclic.self = cyclic;
    const response = await defineHandler('media:createTransport', fn).run(fakeContext().ctx, cyclic);
    expect(response).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(fn).not.toHaveBeenCalled();
  });

  test('a thrown AppError keeps its code and message', async () => {
    const handler = defineHandler('room:leave', () => {
      throw new AppError('CONFLICT', 'already joined');
    });
    await expect(handler.run(fakeContext().ctx, {})).resolves.toEqual({
      ok: false,
      error: { code: 'CONFLICT', message: 'already joined' },
    });
  });

  test('a rejected AppError from an async handler keeps its code', async () => {
    const handler = defineHandler('room:leave', async () => {
      await Promise.resolve();
      throw new AppError('NOT_JOINED', 'join the room first');
    });
    await expect(handler.run(fakeContext().ctx, {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'NOT_JOINED' },
    });
  });

  test('a thrown TypeError (mediasoup refusing parameters) is answered BAD_REQUEST', async () => {
    const handler = defineHandler('room:leave', () => {
      throw new TypeError('invalid codec.mimeType');
    });
    await expect(handler.run(fakeContext().ctx, {})).resolves.toEqual({
      ok: false,
      error: { code: 'BAD_REQUEST', message: 'invalid codec.mimeType' },
    });
  });

  test("mediasoup's UnsupportedError (a codec the router lacks) is answered BAD_REQUEST", async () => {
    const handler = defineHandler('room:leave', () => {
      throw new mediasoupErrors.UnsupportedError('unsupported codec [mimeType:video/H265, payloadType:101]');
    });
    await expect(handler.run(fakeContext().ctx, {})).resolves.toEqual({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('unsupported codec') },
    });
  });

  test('any other error is answered INTERNAL with a message that leaks nothing', async () => {
    const secret = 'connect ECONNREFUSED 10.1.2.3:5432 password=hunter2';
    const handler = defineHandler('room:leave', () => {
      throw new Error(secret);
    });
    const response = await handler.run(fakeContext().ctx, {});
    expect(response).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    const text = JSON.stringify(response);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('10.1.2.3');
    expect(text).not.toMatch(/at .*\.ts:\d+/);
  });

  test('an unexpected error is logged for the operator with its cause', async () => {
    const { ctx, logs } = fakeContext();
    const handler = defineHandler('room:leave', () => {
      throw new RangeError('the worker said no');
    });
    await handler.run(ctx, {});
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 50, err: expect.objectContaining({ message: 'the worker said no' }) }),
    );
  });

  test('a thrown non-Error value is answered INTERNAL', async () => {
    const handler = defineHandler('room:leave', () => {
      throw 'a string';
    });
    await expect(handler.run(fakeContext().ctx, {})).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  test('when the rate limiter is exhausted the request is answered RATE_LIMITED and the handler is not called', async () => {
    const fn = jest.fn(() => ({}));
    const handler = defineHandler('room:leave', fn);
    const { ctx } = fakeContext(new RateLimiter(3, 0));
    const responses = [];
    for (let i = 0; i < 5; i++) responses.push(await handler.run(ctx, {}));
    expect(responses.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'ok',
      'ok',
      'ok',
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  test('bad payloads count against the rate limit too', async () => {
    const fn = jest.fn(() => ({}));
    const handler = defineHandler('room:leave', fn);
    const { ctx } = fakeContext(new RateLimiter(2, 0));
    await handler.run(ctx, { junk: true });
    await handler.run(ctx, { junk: true });
    await expect(handler.run(ctx, {})).resolves.toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('RateLimiter', () => {
  afterEach(() => jest.useRealTimers());

  test('allows a burst, then refills at its steady rate, never above the burst', () => {
    jest.useFakeTimers();
    const limiter = new RateLimiter(2, 10);
    expect([limiter.take(), limiter.take(), limiter.take()]).toEqual([true, true, false]);
    jest.advanceTimersByTime(100); // 10 per second: one token
    expect([limiter.take(), limiter.take()]).toEqual([true, false]);
    jest.advanceTimersByTime(60_000); // a long pause refills to the burst, not beyond
    expect([limiter.take(), limiter.take(), limiter.take()]).toEqual([true, true, false]);
  });
});
