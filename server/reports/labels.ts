/** The words of the reports in both languages; the dispute types and levels come from shared/cases.ts. */
import { z } from 'zod';

export const langSchema = z.enum(['zh-CN', 'en']).default('zh-CN');
export type Lang = z.infer<typeof langSchema>;

export const short = (lang: Lang): 'zh' | 'en' => (lang === 'zh-CN' ? 'zh' : 'en');

const zh = {
  title: '矛盾纠纷调解月报',
  month: '月份',
  area: '范围',
  generatedAt: '生成时间',
  township: '镇街',
  grid: '网格',
  registered: '登记',
  mediated: '调解终结',
  agreed: '调解成功',
  failed: '调解不成',
  withdrawn: '撤回',
  escalated: '上报转办',
  rate: '调解成功率',
  subtotal: '小计',
  total: '合计',
  chartTitle: '本月调解成功率',
  target: '目标 90%',
  noConcluded: '本月无终结案件',
  caseload: '当前在册案件',
  byType: '按纠纷类型',
  byStatus: '按状态',
  byLevel: '按层级',
  count: '件数',
  escalations: '本月上报转办',
  caseNo: '案号',
  fromTo: '转办',
  to: '接收单位',
  reason: '原因',
  by: '转办人',
  at: '时间',
  none: '无',
  definition: '调解成功率 = 调解成功 ÷ 调解终结(成功 + 不成);撤回案件不计入。案件按发生网格统计,无论在哪一级办结。',
};

const en: typeof zh = {
  title: 'Monthly mediation report',
  month: 'Month',
  area: 'Area',
  generatedAt: 'Generated',
  township: 'Township',
  grid: 'Grid',
  registered: 'Registered',
  mediated: 'Mediated',
  agreed: 'Agreed',
  failed: 'Failed',
  withdrawn: 'Withdrawn',
  escalated: 'Escalated',
  rate: 'Success rate',
  subtotal: 'Subtotal',
  total: 'Total',
  chartTitle: 'Success rate this month',
  target: 'Target 90%',
  noConcluded: 'nothing concluded this month',
  caseload: 'Caseload on file',
  byType: 'By dispute type',
  byStatus: 'By status',
  byLevel: 'By level',
  count: 'Cases',
  escalations: 'Escalations this month',
  caseNo: 'Case no.',
  fromTo: 'Transfer',
  to: 'Receiving unit',
  reason: 'Reason',
  by: 'By',
  at: 'When',
  none: 'None',
  definition:
    'Success rate = agreed ÷ mediated (agreed + failed); withdrawn cases count in neither. Cases count in the grid they arose in, whichever level concluded them.',
};

export type Labels = typeof zh;
export const LABELS: Record<Lang, Labels> = { 'zh-CN': zh, en };

/** "95.2%", or "—" when there is nothing to divide. */
export function formatRate(rate: number | null): string {
  return rate === null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}
