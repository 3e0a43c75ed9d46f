/**
 * Clients of the co-editing endpoint for tests: the official y-websocket
 * WebsocketProvider (in Node, with `ws` as its WebSocket), and a raw socket
 * for what a provider would never send.
 *
 * BroadcastChannel is off: Node has one, and two providers of the same room
 * in one process would otherwise sync through it without the server.
 */
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { AGREEMENT_PATH } from '../../shared/agreement';
import { eventually } from './eventually';

export interface Credentials {
  /** A join link's token (the `token` query parameter). */
  link?: string;
  /** A staff session token, sent as `Authorization: Bearer`. */
  bearer?: string;
  /** Raw request headers (a cookie, an Origin). */
  headers?: Record<string, string>;
}

export interface TestProvider {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Set when the server closed the connection: its code and reason. */
  closedBy: { code: number; reason: string } | undefined;
  /** Resolves once the provider has synced with the server. */
  synced(): Promise<void>;
  destroy(): void;
}

/** `ws`, with the headers a browser would send (the provider only passes url and protocols). */
export function webSocketWith(headers: Record<string, string>): typeof WebSocket {
  return class extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  } as typeof WebSocket;
}

export function headersOf(credentials: Credentials): Record<string, string> {
  return { ...(credentials.bearer ? { authorization: `Bearer ${credentials.bearer}` } : {}), ...credentials.headers };
}

export function collabUrl(baseUrl: string): string {
  return `${baseUrl.replace(/^http/, 'ws')}${AGREEMENT_PATH}`;
}

export function connectProvider(
  baseUrl: string,
  caseId: string,
  credentials: Credentials,
  doc = new Y.Doc(),
): TestProvider {
  const provider = new WebsocketProvider(collabUrl(baseUrl), caseId, doc, {
    WebSocketPolyfill: webSocketWith(headersOf(credentials)) as unknown as typeof globalThis.WebSocket,
    params: credentials.link ? { token: credentials.link } : {},
    disableBc: true,
  });
  const result: TestProvider = {
    doc,
    provider,
    closedBy: undefined,
    synced: async () => {
      await eventually(() => provider.synced || result.closedBy, {
        timeoutMs: 10_000,
        intervalMs: 20,
        what: 'provider synced',
      });
      if (!provider.synced) throw new Error(`provider closed before it synced: ${JSON.stringify(result.closedBy)}`);
    },
    destroy: () => {
      provider.destroy();
      provider.awareness.destroy(); // the provider made it, but leaves its interval running
    },
  };
  provider.on('connection-close', (event) => {
    if (event) result.closedBy = { code: event.code, reason: String(event.reason) };
  });
  return result;
}

/** Opens a raw socket; resolves when it is open, or with the HTTP status the upgrade was refused with. */
export function rawSocket(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ ws: WebSocket } | { status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.binaryType = 'nodebuffer';
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', (error) => reject(error));
  });
}

/** Resolves with the close code and reason of a socket (at once if it is already closed). */
export function closeOf(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
  );
}
