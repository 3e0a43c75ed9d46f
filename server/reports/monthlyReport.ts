/**
 * The monthly report (月报) of an area: per grid, with township subtotals and
 * a total, the figures the seeds ask for (registered, mediated, agreed,
 * escalated, success rate), plus the caseload on file and the month's
 * escalations. Rendered as JSON, CSV (monthlyCsv) and a printable page (monthlyPage.ts).
 */
import { DISPUTE_TYPES, type DisputeType } from '../../shared/cases';
import type { Area } from '../authz/can';
import { toCsv, type Cell } from './csv';
import { formatRate, LABELS, short, type Lang } from './labels';
import { monthPeriod } from './period';
import type { Caseload, EscalationRow, MonthlyGridRow, ReportQueries } from './ReportQueries';

/** An area with the names a report prints. */
export interface NamedArea extends Area {
  level: 'district' | 'township' | 'grid';
  name: string;
  districtName: string;
}

export interface MonthlyFigures {
  registered: number;
  /** agreed + failed: mediated to an end. */
  mediated: number;
  agreed: number;
  failed: number;
  withdrawn: number;
  escalated: number;
  rate: number | null;
}

export interface MonthlyLine extends MonthlyFigures {
  kind: 'grid' | 'subtotal';
  townshipName: string;
  gridName: string | null;
}

export interface ChartBar {
  label: string;
  rate: number | null;
  agreed: number;
  mediated: number;
}

export interface MonthlyReport {
  area: NamedArea;
  month: string;
  generatedAt: Date;
  lines: MonthlyLine[];
  total: MonthlyFigures;
  /** Per township for a district report, per grid otherwise. */
  chart: ChartBar[];
  caseload: Caseload;
  escalations: EscalationRow[];
}

function sum(rows: readonly MonthlyGridRow[]): MonthlyFigures {
  const add = (key: 'registered' | 'agreed' | 'failed' | 'withdrawn' | 'escalated') =>
    rows.reduce((n, row) => n + row[key], 0);
  const agreed = add('agreed');
  const mediated = agreed + add('failed');
  return {
    registered: add('registered'),
    mediated,
    agreed,
    failed: add('failed'),
    withdrawn: add('withdrawn'),
    escalated: add('escalated'),
    rate: mediated > 0 ? agreed / mediated : null,
  };
}

export async function buildMonthlyReport(
  queries: ReportQueries,
  area: NamedArea,
  month: string,
): Promise<MonthlyReport> {
  const period = monthPeriod(month);
  const rows = await queries.monthly(area, period);
  const lines: MonthlyLine[] = [];
  const chart: ChartBar[] = [];
  for (const townshipId of [...new Set(rows.map((row) => row.townshipId))]) {
    const ofTownship = rows.filter((row) => row.townshipId === townshipId);
    const townshipName = ofTownship[0]!.townshipName;
    for (const row of ofTownship) {
      const figures = sum([row]);
      lines.push({ kind: 'grid', townshipName, gridName: row.gridName, ...figures });
      if (area.level !== 'district')
        chart.push({ label: row.gridName, rate: figures.rate, agreed: figures.agreed, mediated: figures.mediated });
    }
    const subtotal = sum(ofTownship);
    if (area.level === 'district') {
      lines.push({ kind: 'subtotal', townshipName, gridName: null, ...subtotal });
      chart.push({ label: townshipName, rate: subtotal.rate, agreed: subtotal.agreed, mediated: subtotal.mediated });
    }
  }
  return {
    area,
    month,
    generatedAt: new Date(),
    lines,
    total: sum(rows),
    chart,
    caseload: await queries.caseload(area),
    escalations: await queries.escalations(area, period),
  };
}

export function monthlyCsv(report: MonthlyReport, lang: Lang): string {
  const l = LABELS[lang];
  const figures = (f: MonthlyFigures): Cell[] => [
    f.registered,
    f.mediated,
    f.agreed,
    f.failed,
    f.withdrawn,
    f.escalated,
    formatRate(f.rate),
  ];
  const rows: Cell[][] = [
    [l.title, report.area.name, `${l.month} ${report.month}`],
    [l.township, l.grid, l.registered, l.mediated, l.agreed, l.failed, l.withdrawn, l.escalated, l.rate],
    ...report.lines.map((line) => [
      line.townshipName,
      line.kind === 'subtotal' ? l.subtotal : line.gridName,
      ...figures(line),
    ]),
    [l.total, null, ...figures(report.total)],
  ];
  return toCsv(rows);
}

/** The dispute types on file, most frequent first, with their labels. */
export function typesByCount(caseload: Caseload, lang: Lang): { label: string; count: number }[] {
  return (Object.entries(caseload.byType) as [DisputeType, number][])
    .sort((a, b) => b[1] - a[1])
    .map(([type, count]) => ({ label: DISPUTE_TYPES[type][short(lang)], count }));
}
