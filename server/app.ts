/**
 * The composition root: builds the media worker pool, the HTTP routes and the
 * socket.io edge from a parsed config, and owns their shutdown. It never
 * reads process.env and never exits the process (server/index.ts does both).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { WorkerPool } from '../media/WorkerPool';
import type { Config } from './config';
import { createRoutes, type CreateRoomWithLinks } from './http/routes';
import { JoinTokens } from './links/joinToken';
import { LiveRooms } from './rooms/LiveRooms';
import { InMemoryRoomStore, type RoomStore } from './rooms/RoomStore';
import { createSocketServer } from './signaling/socketServer';
import type { Db } from './db/Db';
import { startRecords, type RecordsApp } from './recordsApp';

export interface AppDeps {
  logger: Logger;
  roomStore?: RoomStore;
  /** The built client (vite's output); defaults to dist/client of this checkout. */
  clientDir?: string;
  /** The records database, migrated here; when absent the configured one is opened (and closed with the app). */
  db?: Db;
}

export interface App {
  httpServer: http.Server;
  /** The base URL links are made with (PUBLIC_URL, or http://localhost:<bound port>). */
  url: string;
  pool: WorkerPool;
  rooms: LiveRooms;
  /** Cases, staff, organisation and reports, on the database. */
  records: RecordsApp;
  createRoomWithLinks: CreateRoomWithLinks;
  /** Stops accepting, closes every connection and room, then the workers. Idempotent. */
  close(): Promise<void>;
}

export function defaultClientDir(): string {
  // __dirname is server/ under tsx and dist/server/ when built; the client is always built to dist/client.
  const root =
    path.basename(path.dirname(__dirname)) === 'dist' ? path.dirname(path.dirname(__dirname)) : path.dirname(__dirname);
  return path.join(root, 'dist', 'client');
}

export async function createApp(config: Config, deps: AppDeps): Promise<App> {
  const { logger } = deps;
  // The database first: a wrong DATABASE_URL should fail the start before any worker is spawned.
  const records = await startRecords(config, { db: deps.db, logger });
  const mediaLogger = logger.child({ component: 'media' });
  const pool = await WorkerPool.create({
    numWorkers: config.rtc.workers,
    listenIp: config.rtc.listenIp,
    announcedAddress: config.rtc.announcedAddress,
    rtcMinPort: config.rtc.minPort,
    rtcMaxPort: config.rtc.maxPort,
    logLevel: 'warn',
    // Warnings of these subsystems are what an operator needs (ICE/DTLS trouble, SRTP failures, BWE).
    logTags: ['ice', 'dtls', 'srtp', 'rtp', 'rtcp', 'bwe'],
    workerBin: config.rtc.workerBin,
    logger: mediaLogger,
  }).catch(async (error: unknown) => {
    await records.close();
    throw error;
  });
  const rooms = new LiveRooms(pool, mediaLogger);
  const roomStore = deps.roomStore ?? new InMemoryRoomStore();
  const joinTokens = new JoinTokens(config.tokenSecret);
  let closing = false;
  let url = config.publicUrl ?? '';

  const { app, createRoomWithLinks } = createRoutes({
    joinTokens,
    roomStore,
    clientDir: deps.clientDir ?? defaultClientDir(),
    adminToken: config.adminToken,
    linkTtlSeconds: config.linkTtlSeconds,
    isReady: () => !closing && pool.ready,
    baseUrl: () => url,
    logger,
    recordRoutes: records.router,
  });
  const httpServer = http.createServer(app);
  const io = createSocketServer({ httpServer, joinTokens, roomStore, rooms, logger });

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    pool.close();
    await records.close();
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  url ||= `http://localhost:${port}`;
  logger.info({ port, url, workers: pool.workers.length }, 'createApp(): listening');

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      closing = true;
      await io.close(); // disconnects every socket and closes the HTTP server
      rooms.closeAll();
      pool.close();
      await records.close();
      logger.info('createApp(): closed');
    })());

  return { httpServer, url, pool, rooms, records, createRoomWithLinks, close };
}
