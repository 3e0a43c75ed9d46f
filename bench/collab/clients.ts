/**
 * The client side of the co-editing benchmark, run as a child process of
 * run.ts so that 1 000 clients do not take the server's CPU: one official
 * y-websocket WebsocketProvider per client, one writer and the rest readers
 * per room. Each write inserts a marker ⟦room:n:sentAt⟧ into the agreement's
 * text; readers time its arrival (fan-out), the writer times its own update
 * coming back (for Gridroom that is the acknowledgement, sent once committed;
 * the reference echoes at once), and for Gridroom a poller times when its row
 * becomes visible in PostgreSQL.
 *
 * Gets its plan from run.ts over IPC and answers with the results.
 */
import pg from 'pg';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { distribution, type ClientsPlan, type ClientsResult } from './plan';

const now = () => performance.timeOrigin + performance.now();
const MARKER = /⟦(\d+):(\d+):([\d.]+)⟧/g;

function markers(update: Uint8Array): { room: number; n: number; sentAt: number }[] {
  const found: { room: number; n: number; sentAt: number }[] = [];
  for (const struct of Y.decodeUpdate(update).structs) {
    if (struct instanceof Y.Item && struct.content instanceof Y.ContentString) {
      for (const m of struct.content.str.matchAll(MARKER))
        found.push({ room: Number(m[1]), n: Number(m[2]), sentAt: Number(m[3]) });
    }
  }
  return found;
}

/** `ws` that hands every sync update it receives to `onUpdate` (the provider's own path is untouched). */
function socketSeeingUpdates(onUpdate: (update: Uint8Array) => void): typeof WebSocket {
  return class extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols);
      this.on('message', (data: Buffer) => {
        const d = decoding.createDecoder(new Uint8Array(data));
        if (decoding.readVarUint(d) === 0 && decoding.readVarUint(d) === 2) onUpdate(decoding.readVarUint8Array(d));
      });
    }
  } as typeof WebSocket;
}

async function main(): Promise<void> {
  const plan = await new Promise<ClientsPlan>((resolve) => {
    process.on('message', (message) => {
      // run.ts compares this process's clock with the reference server's (see clockOffset()).
      if (message === 'clock') process.send!({ clock: now() });
      else resolve(message as ClientsPlan);
    });
    console.log('waiting for the plan');
  });
  const measuring = { from: Infinity, to: Infinity };
  const inWindow = (sentAt: number) => sentAt >= measuring.from && sentAt < measuring.to;
  const fanout: number[] = [];
  const echo: number[] = [];
  const visible: number[] = [];
  const sentAt = new Map<string, number>();
  const providers: WebsocketProvider[] = [];
  const writers: { room: number; doc: Y.Doc }[] = [];

  const connect = (
    room: string,
    params: Record<string, string>,
    ws: typeof WebSocket,
  ): { doc: Y.Doc; provider: WebsocketProvider } => {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(plan.serverUrl, room, doc, {
      params,
      WebSocketPolyfill: ws as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      maxBackoffTime: 1000,
    });
    providers.push(provider);
    return { doc, provider };
  };

  const started = performance.now();
  const plainWs = socketSeeingUpdates(() => undefined);
  for (const [r, room] of plan.rooms.entries()) {
    const writerWs = socketSeeingUpdates((update) => {
      for (const m of markers(update)) {
        const key = `${m.room}:${m.n}`;
        if (m.room === r && sentAt.has(key) && inWindow(m.sentAt)) echo.push(now() - m.sentAt);
      }
    });
    writers.push({ room: r, doc: connect(room.room, room.writer, writerWs).doc });
    for (const params of room.readers) {
      const { doc, provider } = connect(room.room, params, plainWs);
      doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin !== provider) return;
        const t = now();
        for (const m of markers(update)) if (inWindow(m.sentAt)) fanout.push(t - m.sentAt);
      });
    }
    await new Promise((resolve) => setTimeout(resolve, ((1 + room.readers.length) / plan.connectPerSecond) * 1000));
  }
  const deadline = Date.now() + 60_000;
  while (providers.some((p) => !p.synced)) {
    if (Date.now() > deadline) throw new Error(`${providers.filter((p) => !p.synced).length} clients did not sync`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const connectSeconds = (performance.now() - started) / 1000;

  let pollStop: (() => Promise<void>) | undefined;
  if (plan.databaseUrl) pollStop = pollRows(plan.databaseUrl, inWindow, visible);

  // Every writer at the same rate, phases spread evenly: the total is updatesPerSecond.
  const perWriterMs = (1000 * writers.length) / plan.updatesPerSecond;
  const t0 = now() + 100;
  measuring.from = t0 + plan.warmupSeconds * 1000;
  measuring.to = measuring.from + plan.durationSeconds * 1000;
  const counters = writers.map(() => 0);
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const t = now();
      if (t >= measuring.to) {
        clearInterval(tick);
        resolve();
        return;
      }
      writers.forEach((w, i) => {
        const due = t0 + (i / writers.length) * perWriterMs + counters[i]! * perWriterMs;
        if (t < due) return;
        const n = ++counters[i]!;
        const at = now();
        const key = `${w.room}:${n}`;
        sentAt.set(key, at);
        if (inWindow(at)) sent++;
        const text = textOf(w.doc, plan.agreement);
        text.insert(text.length, `⟦${w.room}:${n}:${at.toFixed(3)}⟧`);
      });
    }, 1);
  });
  await new Promise((resolve) => setTimeout(resolve, 2000)); // the last deliveries
  if (pollStop) await pollStop();
  for (const p of providers) {
    p.destroy();
    p.awareness.destroy();
  }
  const readers = plan.rooms[0]!.readers.length;
  const result: ClientsResult = {
    label: plan.label,
    clients: providers.length,
    sent,
    fanout: distribution(fanout),
    undelivered: sent * readers - fanout.length,
    echo: distribution(echo),
    ...(plan.databaseUrl
      ? { visible: { ...distribution(visible), pollMs: POLL_MS, unseen: sent - visible.length } }
      : {}),
    connectSeconds,
    window: measuring,
  };
  process.send!(result, () => process.exit(0));
}

/** The text a writer types into: the agreement's first facts paragraph, or a Y.Text for the reference. */
function textOf(doc: Y.Doc, agreement: boolean): Y.Text | Y.XmlText {
  if (!agreement) return doc.getText('bench');
  const paragraph = doc.getXmlFragment('facts').get(0) as Y.XmlElement;
  return paragraph.get(0) as Y.XmlText;
}

const POLL_MS = 10;

/** Polls agreement_updates for new rows; each marker's (visible - sent) goes into `out`. Returns a stop function. */
function pollRows(databaseUrl: string, inWindow: (sentAt: number) => boolean, out: number[]): () => Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  let last = 0;
  let stopped = false;
  const loop = (async () => {
    await client.connect();
    [{ last }] = (
      await client.query<{ last: number }>('select coalesce(max(seq), 0)::int as last from agreement_updates')
    ).rows as [{ last: number }];
    while (!stopped) {
      const { rows } = await client.query<{ seq: string; update: Buffer }>(
        'select seq, update from agreement_updates where seq > $1 order by seq limit 5000',
        [last],
      );
      const seenAt = now();
      for (const row of rows) {
        last = Math.max(last, Number(row.seq));
        for (const m of markers(new Uint8Array(row.update))) if (inWindow(m.sentAt)) out.push(seenAt - m.sentAt);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    await client.end();
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

main().catch((error: unknown) => {
  console.error('clients:', error);
  process.exit(1);
});
