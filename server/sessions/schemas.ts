/** Request bodies and path parameters of the session routes, validated before anything is read or changed. */
import { z } from 'zod';
import { caseIdSchema, roomIdSchema } from '../../shared/ids';

const ttlHours = z.number().min(1).max(720);

export const scheduleBody = z
  .object({
    scheduledAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
    title: z.string().trim().min(1).max(120).optional(),
    waitingRoom: z.boolean().default(true),
    linkTtlHours: ttlHours.default(72),
    singleDevice: z.boolean().default(true),
  })
  .strict();

export const addLinkBody = z
  .object({
    role: z.enum(['expert', 'observer', 'mediator']),
    label: z.string().trim().min(1).max(60),
    linkTtlHours: ttlHours.default(72),
  })
  .strict();

export const recordingBody = z.object({ enabled: z.boolean() }).strict();

export const caseParams = z.object({ caseId: caseIdSchema }).strict();
export const sessionParams = z.object({ sessionId: roomIdSchema }).strict();
export const linkParams = z.object({ sessionId: roomIdSchema, linkId: z.uuid() }).strict();
export const noInput = z.object({}).strict();
