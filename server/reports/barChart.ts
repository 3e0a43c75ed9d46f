/**
 * A horizontal bar chart of success rates as inline SVG, with the seeds' 90%
 * target drawn across it: which townships (or grids) fall short is seen at a
 * glance, and it prints in black and white (the pattern, not only the colour,
 * marks the short ones).
 */
import { escapeHtml } from './html';
import { formatRate } from './labels';
import type { ChartBar } from './monthlyReport';

export interface BarChartOptions {
  title: string;
  target: number;
  targetLabel: string;
  emptyLabel: string;
}

const WIDTH = 680;
const LABEL_W = 170;
const VALUE_W = 110;
const ROW_H = 22;
const TOP = 34;
const PLOT_W = WIDTH - LABEL_W - VALUE_W;

export function barChartSvg(bars: readonly ChartBar[], options: BarChartOptions): string {
  const height = TOP + bars.length * ROW_H + 24;
  const x = (rate: number) => LABEL_W + rate * PLOT_W;
  const rows = bars.map((bar, i) => {
    const y = TOP + i * ROW_H;
    const label = `<text x="${LABEL_W - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(truncate(bar.label, 14))}</text>`;
    if (bar.rate === null) {
      return `${label}<text x="${LABEL_W + 4}" y="${y + 15}" class="muted">${escapeHtml(options.emptyLabel)}</text>`;
    }
    const short = bar.rate < options.target;
    const value = `${formatRate(bar.rate)} (${bar.agreed}/${bar.mediated})`;
    return (
      `${label}<rect x="${LABEL_W}" y="${y + 4}" width="${(bar.rate * PLOT_W).toFixed(1)}" height="${ROW_H - 8}"` +
      ` class="${short ? 'short' : 'ok'}"><title>${escapeHtml(`${bar.label}: ${value}`)}</title></rect>` +
      `<text x="${LABEL_W + PLOT_W + 6}" y="${y + 15}">${escapeHtml(value)}</text>`
    );
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (t) =>
        `<line x1="${x(t)}" x2="${x(t)}" y1="${TOP - 4}" y2="${height - 20}" class="grid"/><text x="${x(t)}" y="${height - 6}" text-anchor="middle" class="muted">${t * 100}%</text>`,
    )
    .join('');
  const target = `<line x1="${x(options.target)}" x2="${x(options.target)}" y1="${TOP - 8}" y2="${height - 20}" class="target"/>
    <text x="${x(options.target)}" y="${TOP - 12}" text-anchor="middle" class="target-label">${escapeHtml(options.targetLabel)}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${escapeHtml(options.title)}">
  <defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3b3a6"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b23b22" stroke-width="2"/></pattern></defs>
  <style>text{font:12px sans-serif;fill:#222}.muted{fill:#777}.ok{fill:#2f7d4f}.short{fill:url(#hatch);stroke:#b23b22}.grid{stroke:#ddd}.target{stroke:#b23b22;stroke-width:1.5;stroke-dasharray:4 3}.target-label{fill:#b23b22;font-weight:bold}</style>
  <text x="0" y="14" style="font-weight:bold;font-size:14px">${escapeHtml(options.title)}</text>
  ${ticks}${rows.join('')}${target}
</svg>`;
}

function truncate(text: string, max: number): string {
  return [...text].length > max ? `${[...text].slice(0, max - 1).join('')}…` : text;
}
