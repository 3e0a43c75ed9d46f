/**
 * How many columns make the tiles as large as possible in the space there is:
 * two people on a phone held upright are stacked, on a laptop side by side.
 */
import { useLayoutEffect, useState } from 'react';

// Cameras send 4:3 or 16:9; 4:3 is the safer guess for the tile shape.
const TILE_ASPECT = 4 / 3;

export function bestColumns(count: number, width: number, height: number): number {
  let best = 1;
  let bestArea = 0;
  for (let cols = 1; cols <= Math.max(1, count); cols++) {
    const rows = Math.ceil(count / cols);
    const w = width / cols;
    const h = height / rows;
    const area = w / h < TILE_ASPECT ? (w * w) / TILE_ASPECT : h * h * TILE_ASPECT;
    if (area > bestArea) {
      bestArea = area;
      best = cols;
    }
  }
  return best;
}

/** `el` comes from a callback ref, so a grid that mounts later (after a screen share) is measured too. */
export function useGridLayout(el: HTMLElement | null, count: number): { cols: number; rows: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    if (!el) return;
    const measure = () => setSize({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [el]);
  const cols = size.width && size.height ? bestColumns(count, size.width, size.height) : 1;
  return { cols, rows: Math.max(1, Math.ceil(count / cols)) };
}
