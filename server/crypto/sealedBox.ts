/**
 * Protected fields (a party's ID number): AES-256-GCM with a random 96-bit
 * nonce per value. The `context` (e.g. the row's id) is authenticated too, so a
 * sealed value copied onto another row no longer opens.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class SealedBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('SealedBox: the key must be 32 bytes');
    this.#key = Buffer.from(key);
  }

  /** `v1.<base64url(nonce | tag | ciphertext)>`: self-describing, so a later key or cipher can sit beside it. */
  seal(plaintext: string, context: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce).setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  /** Throws when the value was altered, sealed for another context, or under another key. */
  open(sealed: string, context: string): string {
    const [version, encoded] = sealed.split('.');
    if (version !== VERSION || !encoded) throw new Error('SealedBox: unknown format');
    const raw = Buffer.from(encoded, 'base64url');
    if (raw.length < NONCE_BYTES + TAG_BYTES) throw new Error('SealedBox: truncated value');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, NONCE_BYTES))
      .setAAD(Buffer.from(context, 'utf8'))
      .setAuthTag(raw.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
