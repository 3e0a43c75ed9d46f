/** Request bodies of the staff routes (and the first-admin CLI). */
import { z } from 'zod';
import { committeeIdSchema, districtIdSchema, gridIdSchema, staffIdSchema, townshipIdSchema } from '../../shared/ids';
import { staffRoleSchema } from '../../shared/staff';

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9._-]{3,40}$/, 'must be 3-40 letters, digits, ".", "_" or "-"');

export const passwordSchema = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(200, 'must be at most 200 characters');

export const loginBody = z
  .object({
    username: z.string().trim().toLowerCase().min(1).max(40),
    password: z.string().min(1).max(200),
    /** API clients ask for the token in the body and send it as Bearer; browsers keep the cookie. */
    bearer: z.boolean().default(false),
  })
  .strict();

export const changePasswordBody = z.object({ current: z.string().min(1).max(200), next: passwordSchema }).strict();

export const createStaffBody = z
  .object({
    username: usernameSchema,
    displayName: z.string().trim().min(1).max(100),
    role: staffRoleSchema,
    password: passwordSchema,
    gridId: gridIdSchema.optional(),
    committeeId: committeeIdSchema.optional(),
    townshipId: townshipIdSchema.optional(),
    districtId: districtIdSchema.optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    const set = (['gridId', 'committeeId', 'townshipId', 'districtId'] as const).filter((k) => body[k] !== undefined);
    const need =
      body.role === 'mediator'
        ? (['gridId', 'committeeId'] as const)
        : body.role === 'coordinator'
          ? (['townshipId', 'districtId'] as const)
          : ([] as const);
    const fits =
      need.length === 0 ? set.length === 0 : set.length === 1 && (need as readonly string[]).includes(set[0]!);
    if (!fits) {
      ctx.addIssue({
        code: 'custom',
        path: [set[0] ?? 'role'],
        message: need.length
          ? `a ${body.role} needs exactly one of ${need.join(' or ')}`
          : `a ${body.role} is not placed in a grid, committee, township or district`,
      });
    }
  })
  .transform((body) => ({
    ...body,
    gridId: body.gridId ?? null,
    committeeId: body.committeeId ?? null,
    townshipId: body.townshipId ?? null,
    districtId: body.districtId ?? null,
  }));

export const staffIdParams = z.object({ id: staffIdSchema }).strict();
export const noQuery = z.object({}).strict();
