/**
 * The presence store a server runs on: Redis when REDIS_URL is set (every
 * node of a deployment shares it), otherwise the in-process store (one
 * machine, the embedded default). The Redis client is made here, at the
 * composition root's request, and handed to the store: the store never
 * imports a global client.
 */
import type { Logger } from 'pino';
import { createClient, type RedisClientType } from 'redis';
import { MemoryPresenceStore } from './MemoryPresenceStore';
import type { PresenceStore } from './PresenceStore';
import { RedisPresenceStore } from './RedisPresenceStore';

export interface PresenceStoreConfig {
  /** redis:// or rediss:// URL; the in-process store when absent. */
  redisUrl: string | undefined;
  /** Prefix of every key (keys.ts), e.g. `gridroom:`. */
  prefix: string;
  heartbeatTtlMs: number;
}

export interface OpenPresenceStore {
  store: PresenceStore;
  kind: 'redis' | 'memory';
  /** The Redis connection, for the other users of the shared engine (room routing); absent in-process. */
  redis?: RedisClientType;
  /** Closes the Redis connection (after pending commands). Idempotent. */
  close(): Promise<void>;
}

export async function createPresenceStore(config: PresenceStoreConfig, logger: Logger): Promise<OpenPresenceStore> {
  const log = logger.child({ component: 'presence' });
  if (!config.redisUrl) {
    log.info('createPresenceStore(): in-process (no REDIS_URL)');
    return {
      store: new MemoryPresenceStore({ heartbeatTtlMs: config.heartbeatTtlMs }),
      kind: 'memory',
      close: async () => undefined,
    };
  }
  const client = createClient({
    url: config.redisUrl,
    // Reconnect quickly and for ever: presence is rebuilt by heartbeats after Redis comes back.
    socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 2000) },
  });
  let lastError = '';
  client.on('error', (error: Error) => {
    // node-redis emits one error per failed reconnect: log each distinct one once.
    if (error.message === lastError) return;
    lastError = error.message;
    log.warn({ err: error }, 'redis: connection error');
  });
  client.on('ready', () => {
    lastError = '';
    log.info('redis: ready');
  });
  await client.connect();
  let closed: Promise<void> | undefined;
  return {
    store: new RedisPresenceStore({ client, prefix: config.prefix, heartbeatTtlMs: config.heartbeatTtlMs }),
    kind: 'redis',
    redis: client as RedisClientType,
    close: () => (closed ??= client.close().catch((error: unknown) => log.warn({ err: error }, 'redis: close failed'))),
  };
}
