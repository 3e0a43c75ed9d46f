/**
 * Drives the real client in a Chromium page through the hooks it exposes on
 * `window.gridroom` (see client/src/debugHooks.ts).
 */
import type { Page } from 'puppeteer-core';
import { eventually } from './eventually';

export interface InboundStat {
  peerId: string;
  kind: 'audio' | 'video';
  source: string;
  framesDecoded: number;
  packetsReceived: number;
  bytesReceived: number;
}

interface GridroomHooks {
  state: string;
  peerId: string | null;
  /** 'lobby', 'main' or 'caucus-N' once joined. */
  space: string | null;
  getInboundStats(): Promise<InboundStat[]>;
}

declare global {
  interface Window {
    gridroom?: GridroomHooks;
  }
}

/** Opens the link with autojoin and resolves with the page's peer id once it has joined. */
export async function joinByLink(page: Page, link: string, name: string): Promise<string> {
  const url = new URL(link);
  url.searchParams.set('autojoin', '1');
  url.searchParams.set('name', name);
  await page.goto(url.toString());
  return eventually(() => page.evaluate(() => (window.gridroom?.state === 'joined' ? window.gridroom.peerId : null)), {
    timeoutMs: 30_000,
    what: `${name} joined`,
  }) as Promise<string>;
}

export function inboundStats(page: Page): Promise<InboundStat[]> {
  return page.evaluate(() => window.gridroom!.getInboundStats());
}
