/** Request bodies and queries of /api/cases, validated before anything is read or changed. */
import { z } from 'zod';
import {
  caseStatusSchema,
  disputeTypeSchema,
  followUpMethodSchema,
  levelSchema,
  partyRoleSchema,
  performanceSchema,
} from '../../shared/cases';
import { caseIdSchema, committeeIdSchema, gridIdSchema, staffIdSchema, townshipIdSchema } from '../../shared/ids';
import { normaliseIdNumber } from './idNumber';

const text = (max: number) => z.string().trim().max(max);

const partyBody = z
  .object({
    role: partyRoleSchema,
    name: text(100).min(1),
    contact: text(100).default(''),
    idNumber: z
      .string()
      .optional()
      .transform((value, ctx) => {
        if (value === undefined || value.trim() === '') return undefined;
        const id = normaliseIdNumber(value);
        if (!id) ctx.addIssue({ code: 'custom', message: 'is not a valid 18-character resident ID number' });
        return id;
      }),
  })
  .strict();

export const registerBody = z
  .object({
    disputeType: disputeTypeSchema,
    gridId: gridIdSchema,
    summary: text(4000).min(1),
    handlerId: staffIdSchema.optional(),
    parties: z
      .array(partyBody)
      .min(2)
      .max(20)
      .refine(
        (parties) => parties.some((p) => p.role === 'applicant') && parties.some((p) => p.role === 'respondent'),
        {
          message: 'need at least one applicant and one respondent',
        },
      ),
  })
  .strict();

export const statusBody = z.object({ to: caseStatusSchema, note: text(2000).optional() }).strict();

export const escalateBody = z.object({ reason: text(2000).min(1), committeeId: committeeIdSchema.optional() }).strict();

export const assignBody = z.object({ handlerId: staffIdSchema }).strict();

export const followUpBody = z
  .object({
    visitedAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
    method: followUpMethodSchema,
    performance: performanceSchema,
    notes: text(4000).default(''),
  })
  .strict();

export const listQuery = z
  .object({
    status: caseStatusSchema.optional(),
    disputeType: disputeTypeSchema.optional(),
    level: levelSchema.optional(),
    gridId: gridIdSchema.optional(),
    townshipId: townshipIdSchema.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
  })
  .strict();

export const caseParams = z.object({ id: caseIdSchema }).strict();
export const noInput = z.object({}).strict();
