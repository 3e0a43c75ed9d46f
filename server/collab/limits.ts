/**
 * How much one connection and one document may take. The defaults suit an
 * agreement of a few pages typed by a handful of people; tests and the
 * benchmark pass their own.
 */
export interface CollabLimits {
  /** Largest websocket message (an update, a sync step, awareness); the socket closes on more. */
  maxMessageBytes: number;
  /** Largest document (its encoded state); an update that would grow it beyond is refused. */
  maxDocBytes: number;
  /** Largest awareness message, and most entries in one (a provider re-sends the whole room's on joining). */
  maxAwarenessBytes: number;
  maxAwarenessEntries: number;
  /** How many awareness clients one connection may introduce (a tab has one; a reconnect takes its old one over). */
  maxAwarenessOwned: number;
  /** Token buckets per connection: sustained rate and burst, in messages and in bytes. */
  messagesPerSecond: number;
  messageBurst: number;
  bytesPerSecond: number;
  byteBurst: number;
  /** A connection whose debt would take longer than this to pay back is closed (4429) instead of paused. */
  maxThrottleSeconds: number;
  /** A reader that lets this much pile up unsent is closed (1013) rather than buffered without end. */
  maxBufferedBytes: number;
  /** Group commit: how long a batch of updates waits for more before it is written (UpdateWriter). */
  groupCommitMs: number;
  /** Compact a document once this many updates sit in the log after its snapshot. */
  compactAfterUpdates: number;
  /** Unload a document this long after its last connection left (compacting it first). */
  idleUnloadMs: number;
  /** Ping interval; a connection that has not answered the previous ping is dropped. */
  pingIntervalMs: number;
  /** An upgrade whose authentication (or document load) takes longer is answered 503. */
  upgradeTimeoutMs: number;
  /** How often the server logs its counters (documents, connections, writes, event-loop delay). */
  statsIntervalMs: number;
}

export const DEFAULT_LIMITS: CollabLimits = {
  maxMessageBytes: 256 * 1024,
  maxDocBytes: 2 * 1024 * 1024,
  maxAwarenessBytes: 32 * 1024,
  maxAwarenessEntries: 200,
  maxAwarenessOwned: 8,
  // Fast typing is ~15 updates/s plus as many cursor moves; a paste is one large message.
  messagesPerSecond: 60,
  messageBurst: 240,
  bytesPerSecond: 512 * 1024,
  byteBurst: 1024 * 1024,
  maxThrottleSeconds: 10,
  maxBufferedBytes: 8 * 1024 * 1024,
  groupCommitMs: 3,
  compactAfterUpdates: 500,
  idleUnloadMs: 30_000,
  pingIntervalMs: 30_000,
  upgradeTimeoutMs: 10_000,
  statsIntervalMs: 60_000,
};
