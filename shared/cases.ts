/**
 * The vocabulary of case records, shared by the server and the client: dispute
 * types, the case lifecycle, escalation levels and party roles, each with its
 * zh-CN and en label so the two sides never spell them differently.
 */
import { z } from 'zod';

/** A label in both languages the product speaks. */
export interface Label {
  zh: string;
  en: string;
}

/** The dispute types the seed documents name, plus "other" for what they do not. */
export const DISPUTE_TYPES = {
  neighbours: { zh: '邻里纠纷', en: 'Neighbours' },
  marriage_family: { zh: '婚姻家庭纠纷', en: 'Marriage and family' },
  housing_homestead: { zh: '房屋宅基地纠纷', en: 'Housing and homestead land' },
  property_management: { zh: '物业管理纠纷', en: 'Property management' },
  medical: { zh: '医疗纠纷', en: 'Medical' },
  traffic: { zh: '交通事故纠纷', en: 'Traffic accident' },
  labour_wages: { zh: '劳动争议及欠薪纠纷', en: 'Labour and unpaid wages' },
  land_forest_demolition: { zh: '山林土地及征地拆迁纠纷', en: 'Land, forest, acquisition and demolition' },
  consumer: { zh: '消费维权纠纷', en: 'Consumer rights' },
  environment: { zh: '环境污染纠纷', en: 'Environment' },
  workplace_safety: { zh: '安全生产纠纷', en: 'Workplace safety' },
  food_drug_safety: { zh: '食品药品安全纠纷', en: 'Food and drug safety' },
  intellectual_property: { zh: '知识产权纠纷', en: 'Intellectual property' },
  public_order_damages: { zh: '治安案件民事赔偿纠纷', en: 'Civil damages from public-order cases' },
  other: { zh: '其他纠纷', en: 'Other' },
} as const satisfies Record<string, Label>;
export type DisputeType = keyof typeof DISPUTE_TYPES;
export const disputeTypeSchema = z.enum(Object.keys(DISPUTE_TYPES) as [DisputeType, ...DisputeType[]]);

/**
 * Where a case stands. The allowed moves between these are in
 * server/cases/statusMachine.ts.
 */
export const CASE_STATUSES = {
  registered: { zh: '已登记', en: 'Registered' },
  mediating: { zh: '调解中', en: 'Mediating' },
  agreed: { zh: '调解成功', en: 'Agreed' },
  failed: { zh: '调解不成', en: 'Failed' },
  withdrawn: { zh: '已撤回', en: 'Withdrawn' },
  followed_up: { zh: '已回访', en: 'Followed up' },
  closed: { zh: '已结案', en: 'Closed' },
} as const satisfies Record<string, Label>;
export type CaseStatus = keyof typeof CASE_STATUSES;
export const caseStatusSchema = z.enum(Object.keys(CASE_STATUSES) as [CaseStatus, ...CaseStatus[]]);

/** How a concluded case ended; kept after it moves on to followed_up and closed. */
export const caseOutcomeSchema = z.enum(['agreed', 'failed', 'withdrawn']);
export type CaseOutcome = z.infer<typeof caseOutcomeSchema>;

/** The escalation ladder, lowest first: grid, township/street committee, district centre. */
export const LEVELS = {
  grid: { zh: '网格', en: 'Grid' },
  township: { zh: '镇街调委会', en: 'Township committee' },
  district: { zh: '区矛盾纠纷调处中心', en: 'District centre' },
} as const satisfies Record<string, Label>;
export type Level = keyof typeof LEVELS;
export const levelSchema = z.enum(['grid', 'township', 'district']);
export const LEVEL_ORDER: readonly Level[] = ['grid', 'township', 'district'];

export const partyRoleSchema = z.enum(['applicant', 'respondent']);
export type PartyRole = z.infer<typeof partyRoleSchema>;

/** How a follow-up visit (回访) was made. */
export const followUpMethodSchema = z.enum(['visit', 'phone', 'video']);
export type FollowUpMethod = z.infer<typeof followUpMethodSchema>;

/** Whether the agreement was performed, as found on the visit. */
export const performanceSchema = z.enum(['performed', 'partly_performed', 'not_performed']);
export type Performance = z.infer<typeof performanceSchema>;
