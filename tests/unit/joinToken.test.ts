/**
 * Join links: what a valid one carries, and that anything altered, expired,
 * foreign or unsigned is refused with the code the link error page shows.
 */
import { SignJWT } from 'jose';
import { AppError, type ErrorCode } from '../../shared/errors';
import type { RoomId } from '../../shared/ids';
import { JoinTokens } from '../../server/links/joinToken';

const SECRET = 'unit-test-token-secret-0123456789abcdef';
const ROOM = 'r0om-Id_42' as RoomId;
const tokens = new JoinTokens(SECRET);

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).code;
  }
  throw new Error('the token was accepted');
}

/** The token with the character at `index` replaced by another base64url character. */
function changeCharAt(token: string, index: number): string {
  const replacement = token[index] === 'A' ? 'B' : 'A';
  return token.slice(0, index) + replacement + token.slice(index + 1);
}

/** A token signed with our key but with claims we choose, to probe what verify() checks beyond the signature. */
function customToken(
  claims: Record<string, unknown>,
  options: { issuer?: string; audience?: string; alg?: string } = {},
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setIssuer(options.issuer ?? 'gridroom')
    .setAudience(options.audience ?? 'gridroom:join')
    .setJti('link-1')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));
}

describe('a valid link', () => {
  test('round-trips its room, role, link id and expiry', async () => {
    const signed = await tokens.sign(ROOM, 'expert', 3600);
    const claims = await tokens.verify(signed.token);
    expect(claims.roomId).toBe(ROOM);
    expect(claims.role).toBe('expert');
    expect(claims.linkId).toMatch(/^[0-9a-f-]{36}$/);
    // JWT expiry has whole seconds.
    expect(claims.expiresAt.getTime()).toBe(Math.floor(signed.expiresAt.getTime() / 1000) * 1000);
    expect(signed.expiresAt.getTime() - Date.now()).toBeGreaterThan(3590_000);
    expect(signed.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
  });

  test('carries each of the four roles', async () => {
    for (const role of ['mediator', 'party', 'expert', 'observer'] as const) {
      const { token } = await tokens.sign(ROOM, role, 60);
      expect((await tokens.verify(token)).role).toBe(role);
    }
  });

  test('gets a link id of its own, so one link can be revoked later without the others', async () => {
    const [a, b] = await Promise.all([tokens.sign(ROOM, 'party', 60), tokens.sign(ROOM, 'party', 60)]);
    expect(a.token).not.toBe(b.token);
    expect((await tokens.verify(a.token)).linkId).not.toBe((await tokens.verify(b.token)).linkId);
  });

  test('is verified by another JoinTokens built from the same secret (a restarted server)', async () => {
    const { token } = await tokens.sign(ROOM, 'party', 60);
    await expect(new JoinTokens(SECRET).verify(token)).resolves.toMatchObject({ roomId: ROOM, role: 'party' });
  });
});

describe('a link that is refused', () => {
  test('an expired link is LINK_EXPIRED', async () => {
    const { token } = await tokens.sign(ROOM, 'party', -1);
    expect(await codeOf(tokens.verify(token))).toBe('LINK_EXPIRED');
  });

  test('one changed character in the payload is INVALID_LINK', async () => {
    const { token } = await tokens.sign(ROOM, 'party', 3600);
    const [header, payload] = token.split('.') as [string, string, string];
    for (const offset of [0, Math.floor(payload.length / 2), payload.length - 2]) {
      const tampered = changeCharAt(token, header.length + 1 + offset);
      expect(tampered).not.toBe(token);
      expect(await codeOf(tokens.verify(tampered))).toBe('INVALID_LINK');
    }
  });

  test('one changed character in the signature is INVALID_LINK', async () => {
    const { token } = await tokens.sign(ROOM, 'party', 3600);
    const signatureStart = token.lastIndexOf('.') + 1;
    // Not the last character: its low bits are padding and may not change the decoded bytes.
    for (const index of [signatureStart, signatureStart + 20, token.length - 2]) {
      const tampered = changeCharAt(token, index);
      expect(await codeOf(tokens.verify(tampered))).toBe('INVALID_LINK');
    }
  });

  test('an expired link that was also tampered with is INVALID_LINK, not LINK_EXPIRED', async () => {
    const { token } = await tokens.sign(ROOM, 'party', -60);
    const tampered = changeCharAt(token, token.lastIndexOf('.') + 5);
    expect(await codeOf(tokens.verify(tampered))).toBe('INVALID_LINK');
  });

  test('a link signed with another secret is INVALID_LINK', async () => {
    const { token } = await new JoinTokens('another-secret-of-another-server-0000').sign(ROOM, 'mediator', 3600);
    expect(await codeOf(tokens.verify(token))).toBe('INVALID_LINK');
  });

  test('an unsigned link (alg "none") is INVALID_LINK', async () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = { room: ROOM, role: 'mediator', iss: 'gridroom', aud: 'gridroom:join', jti: 'link-1' };
    const token = `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
    expect(token.split('.')[2]).toBe('');
    expect(await codeOf(tokens.verify(token))).toBe('INVALID_LINK');
  });

  test('a link signed with our key but another algorithm (HS512) is INVALID_LINK', async () => {
    const token = await customToken({ room: ROOM, role: 'party' }, { alg: 'HS512' });
    expect(await codeOf(tokens.verify(token))).toBe('INVALID_LINK');
  });

  test('a JWT of ours for another purpose (audience) or issuer is INVALID_LINK', async () => {
    expect(
      await codeOf(tokens.verify(await customToken({ room: ROOM, role: 'party' }, { audience: 'gridroom:admin' }))),
    ).toBe('INVALID_LINK');
    expect(await codeOf(tokens.verify(await customToken({ room: ROOM, role: 'party' }, { issuer: 'someone' })))).toBe(
      'INVALID_LINK',
    );
  });

  test('a signed link with a role that does not exist is INVALID_LINK', async () => {
    const token = await customToken({ room: ROOM, role: 'admin' });
    expect(await codeOf(tokens.verify(token))).toBe('INVALID_LINK');
  });

  test('a signed link whose room id has characters outside the id alphabet is INVALID_LINK', async () => {
    const token = await customToken({ room: '../../etc/passwd', role: 'party' });
    expect(await codeOf(tokens.verify(token))).toBe('INVALID_LINK');
  });

  test('a signed link without an expiry is INVALID_LINK', async () => {
    const token = await new SignJWT({ room: ROOM, role: 'party' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('gridroom')
      .setAudience('gridroom:join')
      .setJti('link-1')
      .sign(new TextEncoder().encode(SECRET));
    expect(await codeOf(tokens.verify(token))).toBe('INVALID_LINK');
  });

  test.each([
    ['an empty string', ''],
    ['plain text', 'hello'],
    ['three dots', '...'],
    ['base64 garbage', 'eyJhbGciOi.eyJyb29tIjo.c2lnbmF0dXJl'],
    ['a truncated link', 'eyJhbGciOiJIUzI1NiJ9.eyJyb29tIjoicjBvbS1JZF80MiJ9'],
  ])('%s is INVALID_LINK', async (_, token) => {
    expect(await codeOf(tokens.verify(token))).toBe('INVALID_LINK');
  });
});
