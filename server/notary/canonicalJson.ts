/**
 * Canonical JSON for hashing: object keys sorted by code unit, no whitespace,
 * and only values that survive a round trip through PostgreSQL's jsonb
 * unchanged (strings, booleans, null, safe integers, arrays, plain objects).
 * jsonb reorders keys and drops duplicates, so what is read back hashes to
 * what was written only if the hash never depended on key order; and a float
 * could print differently after numeric parsing, so none is accepted.
 */
import { createHash } from 'node:crypto';

export type CanonicalValue = string | number | boolean | null | CanonicalValue[] | { [key: string]: CanonicalValue };

export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function write(value: unknown, where: string): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'string') {
    // PostgreSQL text cannot hold NUL; jsonb refuses \u0000, so the entry could never be stored.
    if (value.includes('\u0000')) throw new TypeError(`canonicalJson: ${where} contains NUL`);
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`canonicalJson: ${where} is not a safe integer (${value})`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item, i) => write(item, `${where}[${i}]`)).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>)
      // An undefined field is absent in JSON.stringify and in jsonb alike: leave it out here too.
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${write(v, `${where}.${k}`)}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: ${where} is a ${typeof value}, which JSON cannot carry faithfully`);
}
