/**
 * The monthly report as a printable page (A4, server-rendered, no script):
 * the coordinator opens it, looks at the chart, prints or saves it as PDF.
 * It carries no script at all, so its Content-Security-Policy can forbid them.
 */
import { CASE_STATUSES, LEVELS, type CaseStatus, type Level } from '../../shared/cases';
import { barChartSvg } from './barChart';
import { escapeHtml } from './html';
import { formatRate, LABELS, short, type Lang } from './labels';
import { typesByCount, type MonthlyFigures, type MonthlyReport } from './monthlyReport';

const SUCCESS_TARGET = 0.9;

export function monthlyPage(report: MonthlyReport, lang: Lang): string {
  const l = LABELS[lang];
  const s = short(lang);
  const e = escapeHtml;
  const figures = (f: MonthlyFigures) =>
    [f.registered, f.mediated, f.agreed, f.failed, f.withdrawn, f.escalated]
      .map((n) => `<td class="n">${n}</td>`)
      .join('') + `<td class="n${f.rate !== null && f.rate < SUCCESS_TARGET ? ' low' : ''}">${formatRate(f.rate)}</td>`;
  const lines = report.lines
    .map((line) =>
      line.kind === 'subtotal'
        ? `<tr class="subtotal"><td>${e(line.townshipName)}</td><td>${l.subtotal}</td>${figures(line)}</tr>`
        : `<tr><td>${e(line.townshipName)}</td><td>${e(line.gridName ?? '')}</td>${figures(line)}</tr>`,
    )
    .join('\n');
  const countTable = (title: string, entries: { label: string; count: number }[]) =>
    `<table class="small"><caption>${title}</caption>${
      entries.length
        ? entries.map((x) => `<tr><td>${e(x.label)}</td><td class="n">${x.count}</td></tr>`).join('')
        : `<tr><td>${l.none}</td></tr>`
    }</table>`;
  const byStatus = (Object.entries(report.caseload.byStatus) as [CaseStatus, number][]).map(([k, count]) => ({
    label: CASE_STATUSES[k][s],
    count,
  }));
  const byLevel = (Object.entries(report.caseload.byLevel) as [Level, number][]).map(([k, count]) => ({
    label: LEVELS[k][s],
    count,
  }));
  const escalations = report.escalations.length
    ? report.escalations
        .map(
          (x) =>
            `<tr><td>${e(x.caseNo)}</td><td>${e(x.townshipName)} / ${e(x.gridName)}</td><td>${LEVELS[x.fromLevel][s]} → ${LEVELS[x.toLevel][s]}</td>` +
            `<td>${e(x.toCommitteeName)}</td><td>${e(x.reason)}</td><td>${e(x.transferredByName)}</td><td>${dateTime(x.transferredAt)}</td></tr>`,
        )
        .join('\n')
    : `<tr><td colspan="7">${l.none}</td></tr>`;
  const chart = barChartSvg(report.chart, {
    title: l.chartTitle,
    target: SUCCESS_TARGET,
    targetLabel: l.target,
    emptyLabel: l.noConcluded,
  });

  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(`${l.title} · ${report.area.name} · ${report.month}`)}</title>
<style>
  @page { size: A4; margin: 15mm; }
  body { font-family: "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: #222; max-width: 210mm; margin: 0 auto; padding: 12px; }
  h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 18px 0 6px; }
  .meta { color: #555; font-size: 12px; margin-bottom: 12px; }
  .kpis { display: flex; gap: 12px; margin: 8px 0 12px; } .kpi { border: 1px solid #ccc; padding: 6px 10px; min-width: 90px; }
  .kpi b { display: block; font-size: 20px; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; margin-bottom: 8px; }
  th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; } th { background: #f1f1f1; }
  td.n { text-align: right; font-variant-numeric: tabular-nums; } td.low { color: #b23b22; font-weight: bold; }
  tr.subtotal td, tr.total td { font-weight: bold; background: #fafafa; }
  .side { display: flex; gap: 12px; align-items: flex-start; } table.small { width: auto; } caption { text-align: left; font-weight: bold; padding: 4px 0; }
  .note { font-size: 11px; color: #555; }
  tr { break-inside: avoid; }
  @media print { body { padding: 0; } }
</style>
</head>
<body>
<h1>${l.title}</h1>
<div class="meta">${l.area}: ${e(report.area.name)} · ${l.month}: ${e(report.month)} · ${l.generatedAt}: ${dateTime(report.generatedAt)}</div>
<div class="kpis">
  <div class="kpi">${l.registered}<b>${report.total.registered}</b></div>
  <div class="kpi">${l.mediated}<b>${report.total.mediated}</b></div>
  <div class="kpi">${l.agreed}<b>${report.total.agreed}</b></div>
  <div class="kpi">${l.escalated}<b>${report.total.escalated}</b></div>
  <div class="kpi">${l.rate}<b>${formatRate(report.total.rate)}</b></div>
</div>
${chart}
<h2>${l.title}</h2>
<table>
<thead><tr><th>${l.township}</th><th>${l.grid}</th><th>${l.registered}</th><th>${l.mediated}</th><th>${l.agreed}</th><th>${l.failed}</th><th>${l.withdrawn}</th><th>${l.escalated}</th><th>${l.rate}</th></tr></thead>
<tbody>
${lines}
<tr class="total"><td>${l.total}</td><td></td>${figures(report.total)}</tr>
</tbody>
</table>
<p class="note">${l.definition}</p>
<h2>${l.caseload}</h2>
<div class="side">
${countTable(l.byType, typesByCount(report.caseload, lang))}
${countTable(l.byStatus, byStatus)}
${countTable(l.byLevel, byLevel)}
</div>
<h2>${l.escalations}</h2>
<table>
<thead><tr><th>${l.caseNo}</th><th>${l.township} / ${l.grid}</th><th>${l.fromTo}</th><th>${l.to}</th><th>${l.reason}</th><th>${l.by}</th><th>${l.at}</th></tr></thead>
<tbody>
${escalations}
</tbody>
</table>
</body>
</html>
`;
}

/** "2025-03-31 23:30" in China Standard Time. */
function dateTime(date: Date): string {
  return new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}
