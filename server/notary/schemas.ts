/**
 * What the notary sends, as zod schemas: validated before anything is read
 * or changed (server/http/validate.ts turns a failure into BAD_REQUEST
 * naming the field).
 */
import { z } from 'zod';
import { actTypeSchema, identityMethodSchema } from '../../shared/notary';

export const scheduleActSchema = z.object({
  sessionId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .nullable()
    .default(null),
  actType: actTypeSchema,
  documentDescription: z.string().trim().min(1).max(500),
  jurisdiction: z.string().regex(/^[A-Z]{2}(-[A-Z0-9]{1,6})?$/),
  feeMinor: z.number().int().min(0).max(100_000_000).default(0),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('CNY'),
  scheduledAt: z.coerce.date().nullable().default(null),
  signers: z
    .array(z.object({ name: z.string().trim().min(1).max(100), address: z.string().trim().min(1).max(300) }))
    .min(1)
    .max(10),
});

export const stillSchema = z.object({
  peerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  side: z.enum(['front', 'back', 'face']),
});

export const identityEvidenceSchema = z
  .object({
    signerId: z.uuid(),
    method: identityMethodSchema,
    idDocument: z.string().trim().min(1).max(120).nullable().default(null),
    witnessName: z.string().trim().min(1).max(100).nullable().default(null),
    images: z.partialRecord(z.enum(['front', 'back', 'face']), z.string().regex(/^[0-9a-f]{64}$/)).default({}),
  })
  .refine((e) => e.method !== 'id_comparison' || (e.idDocument && e.images.front && e.images.face), {
    message: 'an ID comparison needs the document named and its front and the face captured',
  })
  .refine((e) => e.method !== 'credible_witness' || e.witnessName, { message: 'a credible witness must be named' });

/** A move of the act other than identity (which has its own route, with the evidence). */
export const eventBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start') }),
  z.object({ type: z.literal('consentGiven') }),
  z.object({ type: z.literal('documentSigned') }),
  z.object({ type: z.literal('seal') }),
  z.object({ type: z.literal('resume') }),
  z.object({ type: z.literal('interrupt'), reason: z.string().trim().min(1).max(500) }),
  z.object({ type: z.literal('abort'), reason: z.string().trim().min(1).max(500) }),
]);
