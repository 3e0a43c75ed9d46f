/**
 * Resident ID numbers (居民身份证号码, GB 11643): 17 digits and a check
 * character. Validated on the way in (a mistyped digit is caught by the check
 * character), sealed at rest, shown masked to everyone but the handler.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** The check character GB 11643 puts after the first 17 digits. */
export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** The number in canonical form (upper-case X), or undefined when it is not a valid 18-character ID. */
export function normaliseIdNumber(input: string): string | undefined {
  const id = input.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return undefined;
  return idNumberCheckChar(id.slice(0, 17)) === id[17] ? id : undefined;
}

/** The last four characters: stored in clear to tell parties apart on masked screens. */
export const idNumberTail = (id: string): string => id.slice(-4);

/** What non-handlers see: 14 stars and the tail. */
export const maskedIdNumber = (tail: string): string => `${'*'.repeat(14)}${tail}`;
