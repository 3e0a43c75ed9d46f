/**
 * One server node's presence, in this process: its own HTTP and socket.io
 * server, socket.io Redis adapter, Redis connection, store and dispatcher, on
 * a shared database and a shared Redis key prefix. Several make a deployment
 * for tests and the presence benchmark, without media workers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import type { Db } from '../../server/db/Db';
import type { DispatchSettings } from '../../server/presence/ExpertDispatcher';
import { PresenceService } from '../../server/presence/PresenceService';
import { attachRedisAdapter } from '../../server/presence/redisAdapter';
import { RedisPresenceStore } from '../../server/presence/RedisPresenceStore';
import { Records } from '../../server/records';
import { connectRedis, deleteKeys } from './redis';

export interface PresenceNode {
  url: string;
  store: RedisPresenceStore;
  io: Server;
  service: PresenceService;
  /** Closes the node; the last one closed (`cleanUp`) also deletes the prefix's keys. */
  close(options?: { cleanUp?: boolean }): Promise<void>;
}

export async function startPresenceNode(options: {
  db: Db;
  redisUrl: string;
  prefix: string;
  heartbeatTtlMs: number;
  logger: Logger;
  dispatch?: Partial<DispatchSettings>;
}): Promise<PresenceNode> {
  const { prefix, logger } = options;
  const client = await connectRedis(options.redisUrl);
  const store = new RedisPresenceStore({ client, prefix, heartbeatTtlMs: options.heartbeatTtlMs });
  const httpServer = http.createServer();
  const io = new Server(httpServer);
  const adapter = await attachRedisAdapter(io, { redisUrl: options.redisUrl, prefix }, logger);
  const service = new PresenceService({
    io,
    records: new Records(options.db),
    store,
    logger,
    dispatch: options.dispatch,
    sweepEveryMs: 100,
    crossNode: true,
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`,
    store,
    io,
    service,
    close: async ({ cleanUp = false } = {}) => {
      await service.close();
      await new Promise((resolve) => io.close(resolve));
      await adapter.close();
      if (cleanUp) await deleteKeys(client, prefix);
      client.destroy();
    },
  };
}
