/**
 * Staff accounts: the people with a login. Parties never have one; they come
 * in by link (shared/roles.ts is who someone is inside a live room).
 */
import { z } from 'zod';

export const STAFF_ROLES = {
  mediator: { zh: '调解员', en: 'Mediator' },
  notary: { zh: '公证员', en: 'Notary' },
  expert: { zh: '专家', en: 'Expert' },
  coordinator: { zh: '协调员', en: 'Coordinator' },
  admin: { zh: '管理员', en: 'Administrator' },
} as const;
export type StaffRole = keyof typeof STAFF_ROLES;
export const staffRoleSchema = z.enum(Object.keys(STAFF_ROLES) as [StaffRole, ...StaffRole[]]);
