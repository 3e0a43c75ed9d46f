/**
 * ID numbers: validated by their check character, sealed with AES-256-GCM
 * bound to their row, masked for everyone but the handler.
 */
import { randomBytes } from 'node:crypto';
import { idNumberCheckChar, maskedIdNumber, normaliseIdNumber } from '../../server/cases/idNumber';
import { SealedBox } from '../../server/crypto/sealedBox';

describe('resident ID numbers', () => {
  test('the check character follows GB 11643 (the standard’s own example)', () => {
    expect(idNumberCheckChar('11010519491231002')).toBe('X');
    expect(normaliseIdNumber('11010519491231002x')).toBe('11010519491231002X');
  });

  test('a mistyped digit, a wrong length or a letter is refused', () => {
    expect(normaliseIdNumber('110105194912310021')).toBeUndefined();
    expect(normaliseIdNumber('11010519491231002')).toBeUndefined();
    expect(normaliseIdNumber('1101051949123100XX')).toBeUndefined();
    expect(normaliseIdNumber('')).toBeUndefined();
  });

  test('the masked form keeps only the last four characters', () => {
    expect(maskedIdNumber('002X')).toBe('**************002X');
  });
});

describe('SealedBox', () => {
  const key = randomBytes(32);
  const box = new SealedBox(key);
  const id = '11010519491231002X';

  test('opens what it sealed, for the same context', () => {
    const sealed = box.seal(id, 'party:1');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(id);
    expect(box.open(sealed, 'party:1')).toBe(id);
  });

  test('seals the same value differently each time (random nonce)', () => {
    expect(box.seal(id, 'party:1')).not.toBe(box.seal(id, 'party:1'));
  });

  test('refuses a value moved to another row, altered, or sealed under another key', () => {
    const sealed = box.seal(id, 'party:1');
    expect(() => box.open(sealed, 'party:2')).toThrow();
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[raw.length - 1]! ^= 1;
    expect(() => box.open(`v1.${raw.toString('base64url')}`, 'party:1')).toThrow();
    expect(() => new SealedBox(randomBytes(32)).open(sealed, 'party:1')).toThrow();
    expect(() => box.open('v2.abc', 'party:1')).toThrow(/unknown format/);
  });

  test('wants a 32-byte key', () => {
    expect(() => new SealedBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
