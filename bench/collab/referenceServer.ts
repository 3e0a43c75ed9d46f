/**
 * The reference peer of the co-editing benchmark: @y/websocket-server 0.1.1
 * set up as its own server.js does (an HTTP server, ws without a server of
 * its own, setupWSConnection on every upgrade, no authentication), with the
 * persistence its utils.js installs for YPERSISTENCE: y-leveldb, one
 * storeUpdate per document update, not awaited. The only addition is a timer:
 * when each storeUpdate resolves, so the run can say how long an update takes
 * to reach LevelDB (which writes without fsync: a process crash keeps it, a
 * power cut may not).
 *
 * Prints `READY <port>`; answers the IPC message 'stats' with its timings.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LeveldbPersistence } from 'y-leveldb';
import { WebSocketServer, type WebSocket } from 'ws';
import * as Y from 'yjs';

interface ReferenceUtils {
  setupWSConnection(conn: WebSocket, req: http.IncomingMessage): void;
  setPersistence(persistence: {
    provider: unknown;
    bindState(docName: string, doc: Y.Doc): Promise<void>;
    writeState(docName: string, doc: Y.Doc): Promise<void>;
  }): void;
}

// Through require: its "exports" map is invisible to this project's node10 module resolution.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const utils = require('@y/websocket-server/utils') as ReferenceUtils;

const now = () => performance.timeOrigin + performance.now();
const stored: { update: Uint8Array; at: number }[] = [];

// Not YPERSISTENCE itself: utils.js would open the folder too (and LevelDB allows one opener).
const dir = process.env.BENCH_LEVELDB;
if (dir) {
  const ldb = new LeveldbPersistence(dir);
  // As utils.js binds it, plus the timing of each write.
  utils.setPersistence({
    provider: ldb,
    bindState: async (docName, ydoc) => {
      const persisted = await ldb.getYDoc(docName);
      void ldb.storeUpdate(docName, Y.encodeStateAsUpdate(ydoc));
      Y.applyUpdate(ydoc, Y.encodeStateAsUpdate(persisted));
      ydoc.on('update', (update: Uint8Array) => {
        void ldb.storeUpdate(docName, update).then(() => stored.push({ update, at: now() }));
      });
    },
    writeState: async () => undefined,
  });
}

const wss = new WebSocketServer({ noServer: true });
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('okay');
});
wss.on('connection', (ws: WebSocket, req: http.IncomingMessage) => utils.setupWSConnection(ws, req));
server.on('upgrade', (req, socket, head) =>
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)),
);
server.listen(0, '127.0.0.1', () => console.log(`READY ${(server.address() as AddressInfo).port}`));

/** [sentAt, storedAt] per marker ⟦room:n:sentAt⟧ in the stored updates (decoded only now, off the measured path). */
function storedTimes(): [number, number][] {
  const out: [number, number][] = [];
  for (const { update, at } of stored) {
    for (const struct of Y.decodeUpdate(update).structs) {
      if (struct instanceof Y.Item && struct.content instanceof Y.ContentString) {
        for (const m of struct.content.str.matchAll(/⟦\d+:\d+:([\d.]+)⟧/g)) out.push([Number(m[1]), at]);
      }
    }
  }
  return out;
}

process.on('message', (message) => {
  if (message === 'stats') process.send?.({ stored: storedTimes() });
  if (message === 'clock') process.send?.({ clock: now() });
});
process.on('SIGTERM', () => process.exit(0));
