/**
 * `window.gridroom`: what the end-to-end tests and the join benchmark read.
 * The names are a contract with them; keep them as they are.
 */
import type { RoomClient } from './rtc/RoomClient';
import type { OutboundStat } from './rtc/Publisher';
import type { InboundStat } from './rtc/RemoteMedia';

export type PageState = 'prejoin' | 'connecting' | 'joined' | 'reconnecting' | 'left' | 'error';

export interface GridroomHooks {
  readonly state: PageState;
  readonly peerId: string | null;
  /** 'lobby', 'main' or 'caucus-N' once joined. */
  readonly space: string | null;
  getInboundStats(): Promise<InboundStat[]>;
  getOutboundStats(): Promise<OutboundStat[]>;
}

declare global {
  interface Window {
    gridroom: GridroomHooks;
  }
}

let current: RoomClient | null = null;
let pageError = false;

/** The room client the page shows now; null on the pre-join screen. */
export function exposeRoomClient(client: RoomClient | null): void {
  current = client;
}

/** The page failed before any room client existed (no token in the address). */
export function exposePageError(): void {
  pageError = true;
}

export function installTestHooks(): void {
  window.gridroom = {
    get state(): PageState {
      if (current) {
        const { status, mediaInterrupted } = current.store.get();
        return status === 'joined' && mediaInterrupted ? 'reconnecting' : status;
      }
      return pageError ? 'error' : 'prejoin';
    },
    get peerId() {
      return current?.peerId ?? null;
    },
    get space() {
      return current?.store.get().space ?? null;
    },
    getInboundStats: async () => (current ? current.getInboundStats() : []),
    getOutboundStats: async () => (current ? current.getOutboundStats() : []),
  };
}
