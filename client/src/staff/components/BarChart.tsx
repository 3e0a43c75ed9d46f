/**
 * Horizontal bars, one row each: the label and value are text (readable at
 * any width, on a phone too), the bar itself an inline SVG stretched to the
 * space left. No chart library.
 */
export interface Bar {
  key: string;
  label: string;
  value: number;
  /** What is written after the bar; the value by default. */
  text?: string;
  /** Draws the bar in the warning colour (a rate under target, say). */
  warn?: boolean;
}

export function BarChart({ bars, max, target, title }: { bars: Bar[]; max?: number; target?: number; title: string }) {
  const top = Math.max(max ?? 0, ...bars.map((b) => b.value), 1);
  const pct = (v: number) => Math.max((v / top) * 100, 0.5);
  return (
    <figure className="bars" aria-label={title} data-testid="bar-chart">
      {bars.map((b) => (
        <div className="bars__row" key={b.key}>
          <span className="bars__label">{b.label}</span>
          <svg className="bars__track" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
            <rect x={0} y={0} width={100} height={10} className="bars__bg" />
            <rect
              x={0}
              y={0}
              width={pct(b.value)}
              height={10}
              className={b.warn ? 'bars__bar bars__bar--warn' : 'bars__bar'}
            />
            {target !== undefined && (
              <line
                x1={pct(target)}
                x2={pct(target)}
                y1={0}
                y2={10}
                className="bars__target"
                vectorEffect="non-scaling-stroke"
              />
            )}
          </svg>
          <span className="bars__value">{b.text ?? String(b.value)}</span>
        </div>
      ))}
    </figure>
  );
}
