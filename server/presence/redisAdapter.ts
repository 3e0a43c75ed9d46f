/**
 * The socket.io Redis adapter, so that an emit to a room on one server node
 * reaches the sockets of that room on every node: an expert connected to node
 * B hears a call rung by node A's dispatcher, and serverSideEmit carries an
 * answer from B back to A. Two connections of its own (pub and sub: a
 * subscribed connection can run no other command), made here and closed with
 * the app.
 */
import { createAdapter } from '@socket.io/redis-adapter';
import type { Logger } from 'pino';
import { createClient } from 'redis';
import type { Server } from 'socket.io';

export interface AttachedAdapter {
  /** Closes both connections. Idempotent; call it after io.close(). */
  close(): Promise<void>;
}

export async function attachRedisAdapter(
  io: Server,
  { redisUrl, prefix }: { redisUrl: string; prefix: string },
  logger: Logger,
): Promise<AttachedAdapter> {
  const log = logger.child({ component: 'socketAdapter' });
  const pub = createClient({
    url: redisUrl,
    socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 2000) },
  });
  const sub = pub.duplicate();
  for (const [name, client] of [
    ['pub', pub],
    ['sub', sub],
  ] as const) {
    let lastError = '';
    client.on('error', (error: Error) => {
      if (error.message === lastError) return;
      lastError = error.message;
      log.warn({ err: error, connection: name }, 'redis: connection error');
    });
    client.on('ready', () => void (lastError = ''));
  }
  await Promise.all([pub.connect(), sub.connect()]);
  // The channel names start with the deployment's prefix, like every key of ours.
  // requestsTimeout bounds how long an expert's answer routed to the other nodes may take.
  io.adapter(createAdapter(pub, sub, { key: `${prefix}socket.io`, requestsTimeout: 3000 }));
  log.info('attachRedisAdapter(): socket.io rooms span every node');
  let closed: Promise<void> | undefined;
  return {
    close: () => (closed ??= Promise.allSettled([pub.close(), sub.close()]).then(() => undefined)),
  };
}
