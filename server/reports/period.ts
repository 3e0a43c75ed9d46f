/**
 * Reporting months, in China Standard Time (UTC+8, no daylight saving): a
 * case concluded at 23:30 on 31 March in Beijing belongs to March.
 */
import { z } from 'zod';

export interface Period {
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
  /** YYYY-MM */
  month: string;
}

const CST_OFFSET_MS = 8 * 3600 * 1000;

export const monthSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM')
  .refine((m) => Number(m.slice(0, 4)) >= 2000 && Number(m.slice(0, 4)) <= 2100, 'must be between 2000 and 2100');

export function monthPeriod(month: string): Period {
  const year = Number(month.slice(0, 4));
  const index = Number(month.slice(5, 7)) - 1;
  return {
    from: new Date(Date.UTC(year, index, 1) - CST_OFFSET_MS),
    to: new Date(Date.UTC(year, index + 1, 1) - CST_OFFSET_MS),
    month,
  };
}

/** The current month in China (the report one usually wants). */
export function currentMonth(now = new Date()): string {
  return new Date(now.getTime() + CST_OFFSET_MS).toISOString().slice(0, 7);
}

/** The year in China, for case numbers. */
export function yearInChina(now = new Date()): number {
  return new Date(now.getTime() + CST_OFFSET_MS).getUTCFullYear();
}
