/** What run.ts tells the clients process to do, what it reports back, and the percentiles both use. */

export interface ClientsPlan {
  label: string;
  serverUrl: string;
  rooms: { room: string; writer: Record<string, string>; readers: Record<string, string>[] }[];
  updatesPerSecond: number;
  warmupSeconds: number;
  durationSeconds: number;
  connectPerSecond: number;
  /** Write into the agreement's facts (Gridroom) or a plain Y.Text (the reference takes any shape). */
  agreement: boolean;
  /** PostgreSQL to poll for the rows of agreement_updates (Gridroom only). */
  databaseUrl?: string;
}

export interface Distribution {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface ClientsResult {
  label: string;
  clients: number;
  sent: number;
  fanout: Distribution;
  /** Deliveries expected (sent x readers) that never arrived. */
  undelivered: number;
  echo: Distribution;
  /** Sent -> row visible to another connection's SELECT, polled every pollMs; unseen: rows never polled (compacted first). */
  visible?: Distribution & { pollMs: number; unseen: number };
  connectSeconds: number;
  /** The measured window (sent times, ms since the epoch). */
  window: { from: number; to: number };
}

export function distribution(samples: number[]): Distribution {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}
