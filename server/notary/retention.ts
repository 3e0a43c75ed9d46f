/**
 * How long journal entries are kept: 10 years unless the act's jurisdiction
 * says otherwise. Remote-notarization statutes ask for 5 to 10 years; which
 * figure applies where is the deployment's decision (configured per
 * jurisdiction code), not something this code asserts.
 */
import { z } from 'zod';

export interface RetentionPolicy {
  /** Years an entry is kept when its jurisdiction has no figure of its own. */
  defaultYears: number;
  /** Years by jurisdiction code (`CN`, `CN-ZJ`, `US-FL`); a subdivision falls back to its country. */
  byJurisdiction?: Readonly<Record<string, number>>;
}

export const DEFAULT_RETENTION: RetentionPolicy = { defaultYears: 10 };

const years = z.number().int().min(0).max(100);

/**
 * Parses `US-TX=5,US-VA=5,CN=30` (what an environment variable can hold) into
 * a policy, failing on anything malformed so a typo cannot shorten retention.
 */
export function parseRetention(defaultYears: number, spec = ''): RetentionPolicy {
  const byJurisdiction: Record<string, number> = {};
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([A-Z]{2}(?:-[A-Z0-9]{1,6})?)=(\d+)$/.exec(part);
    if (!match) throw new Error(`retention: "${part}" is not JURISDICTION=YEARS`);
    byJurisdiction[match[1]!] = years.parse(Number(match[2]));
  }
  return { defaultYears: years.parse(defaultYears), byJurisdiction };
}

export function retentionYears(jurisdiction: string, policy: RetentionPolicy): number {
  const table = policy.byJurisdiction ?? {};
  return table[jurisdiction] ?? table[jurisdiction.split('-')[0]!] ?? policy.defaultYears;
}

/** The instant an entry recorded at `recordedAt` may be pruned; 29 February rolls to 1 March. */
export function retainUntil(recordedAt: Date, jurisdiction: string, policy: RetentionPolicy): Date {
  const until = new Date(recordedAt.getTime());
  until.setUTCFullYear(until.getUTCFullYear() + retentionYears(jurisdiction, policy));
  return until;
}
