/**
 * One act as the console sees it, kept fresh by polling: the act moves on its
 * own too (a dropped connection interrupts it server-side) and the API has no
 * push for acts, so the page asks again every 1.5 s. What a button's request
 * returns replaces the view at once, and no poll that left before that answer
 * came may overwrite it: a poll read while the seal was still closing the
 * recording would otherwise put the act back at signing for a moment.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { getAct, type ActView } from '../../api/notary';

const POLL_MS = 1500;

export interface ActViewState {
  view: ActView | undefined;
  /** The latest failed poll (cleared by the next good one). */
  error: unknown;
  /** Runs a request that answers with the act's view, and shows that view. */
  run: (request: () => Promise<ActView>) => Promise<void>;
  /** Asks for the view now (after a request that answers with something else, like a still). */
  refresh: () => Promise<void>;
}

export function useActView(actId: string): ActViewState {
  const [view, setView] = useState<ActView | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const asked = useRef(0);
  const shown = useRef(0);

  const apply = useCallback((order: number, next: ActView) => {
    if (order < shown.current) return;
    shown.current = order;
    setView(next);
    setError(undefined);
  }, []);

  const refresh = useCallback(async () => {
    const order = ++asked.current;
    try {
      apply(order, await getAct(actId));
    } catch (e) {
      if (order >= shown.current) setError(e);
    }
  }, [actId, apply]);

  const run = useCallback(
    async (request: () => Promise<ActView>) => {
      const answer = await request();
      // Numbered on arrival, not on departure: every poll already in flight is older than this answer.
      apply(++asked.current, answer);
    },
    [apply],
  );

  useEffect(() => {
    void refresh();
    const timer = window.setInterval(() => void refresh(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [refresh]);

  return { view, error, run, refresh };
}
