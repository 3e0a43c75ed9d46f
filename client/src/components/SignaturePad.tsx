/**
 * A pad to draw a signature with a finger, a pen or a mouse. Strokes are kept
 * as points scaled to 0..1000 on both axes (shared/signing.ts), thinned to
 * one point per few pixels so a long signature stays within the request
 * limit, and redrawn from those points, so what is seen is what is sent.
 */
import { useEffect, useRef, useState, type PointerEvent } from 'react';
import { DRAWING_SCALE, SIGNATURE_PAD_ASPECT, type SignatureDrawing } from '../../../shared/signing';
import { useI18n } from '../i18n';

/** Points closer than this (in pad units) to the previous one are dropped. */
const MIN_STEP = 6;

export function SignaturePad({ onChange }: { onChange(drawing: SignatureDrawing): void }) {
  const { t } = useI18n();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [strokes, setStrokes] = useState<number[][]>([]);
  const drawing = useRef<number[] | null>(null);

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext('2d');
    if (!el || !ctx) return;
    const ratio = window.devicePixelRatio || 1;
    el.width = el.clientWidth * ratio;
    el.height = el.clientHeight * ratio;
    ctx.clearRect(0, 0, el.width, el.height);
    ctx.lineWidth = 2.5 * ratio;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#0d1a59';
    const sx = el.width / DRAWING_SCALE;
    const sy = el.height / DRAWING_SCALE;
    for (const stroke of strokes) {
      ctx.beginPath();
      ctx.moveTo(stroke[0]! * sx, stroke[1]! * sy);
      for (let i = 2; i < stroke.length; i += 2) ctx.lineTo(stroke[i]! * sx, stroke[i + 1]! * sy);
      ctx.stroke();
    }
  }, [strokes]);

  const point = (event: PointerEvent<HTMLCanvasElement>): [number, number] => {
    const rect = event.currentTarget.getBoundingClientRect();
    const clamp = (v: number) => Math.max(0, Math.min(DRAWING_SCALE, Math.round(v)));
    return [
      clamp(((event.clientX - rect.left) / rect.width) * DRAWING_SCALE),
      clamp(((event.clientY - rect.top) / rect.height) * DRAWING_SCALE),
    ];
  };

  const update = (next: number[][]) => {
    setStrokes(next);
    onChange(next.filter((s) => s.length >= 4));
  };

  return (
    <div className="signpad">
      <canvas
        ref={canvas}
        className="signpad__canvas"
        style={{ aspectRatio: String(SIGNATURE_PAD_ASPECT) }}
        data-testid="signature-pad"
        aria-label={t('signPadLabel')}
        onPointerDown={(event) => {
          event.currentTarget.setPointerCapture(event.pointerId);
          drawing.current = point(event);
          update([...strokes, drawing.current]);
        }}
        onPointerMove={(event) => {
          const stroke = drawing.current;
          if (!stroke) return;
          const [x, y] = point(event);
          const dx = x - stroke[stroke.length - 2]!;
          const dy = y - stroke[stroke.length - 1]!;
          if (dx * dx + dy * dy < MIN_STEP * MIN_STEP || stroke.length >= 600) return;
          stroke.push(x, y);
          update([...strokes.slice(0, -1), [...stroke]]);
        }}
        onPointerUp={() => (drawing.current = null)}
        onPointerCancel={() => (drawing.current = null)}
      />
      <button type="button" className="signpad__clear" onClick={() => update([])} disabled={strokes.length === 0}>
        {t('signPadClear')}
      </button>
    </div>
  );
}
