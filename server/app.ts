/**
 * The composition root: builds the media worker pool, the HTTP routes and the
 * socket.io edge from a parsed config, and owns their shutdown. It never
 * reads process.env and never exits the process (server/index.ts does both).
 */
import http from 'node:http';
import { Router } from 'express';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { WorkerPool } from '../media/WorkerPool';
import type { Config } from './config';
import { createRoutes, type CreateRoomWithLinks } from './http/routes';
import { JoinTokens } from './links/joinToken';
import { LiveRooms } from './rooms/LiveRooms';
import { SessionLinks } from './sessions/SessionLinks';
import { SqlSessionLinkStore } from './sessions/SessionStore';
import { expertJoinLinks } from './sessions/expertJoinLinks';
import { sessionRoutes } from './sessions/routes';
import { SessionService } from './sessions/SessionService';
import { SqlRoomStore } from './sessions/SqlRoomStore';
import { createSocketServer } from './signaling/socketServer';
import { refuseUnservedUpgrades } from './http/rejectUpgrade';
import { AGREEMENT_PATH } from '../shared/agreement';
import type { Db } from './db/Db';
import { startRecords, type RecordsApp } from './recordsApp';
import { AppError } from '../shared/errors';
import type { CaseId, RoomId } from '../shared/ids';
import type { CollabServer } from './collab/CollabServer';
import { createCollabServer } from './collab/createCollabServer';
import type { CollabLimits } from './collab/limits';
import { DeploymentCa } from './seal/DeploymentCa';
import { createNotary, type Notary } from './notary/createNotary';
import { AgreementSigning } from './signing/AgreementSigning';
import { agreementSealer } from './signing/sealAgreement';
import { signingRoutes, staffAgreementRoutes } from './signing/routes';
import { SqlAgreementStore } from './collab/AgreementStore';
import { createPresenceStore } from './presence/createPresenceStore';
import { RedisNodeRouter, singleNode, type NodeRouter } from './routing/NodeRouter';
import { PresenceService } from './presence/PresenceService';
import { attachRedisAdapter } from './presence/redisAdapter';
import { expertRoutes } from './presence/expertRoutes';

export interface AppDeps {
  logger: Logger;
  /** The built client (vite's output); defaults to dist/client of this checkout. */
  clientDir?: string;
  /** The records database, migrated here; when absent the configured one is opened (and closed with the app). */
  db?: Db;
  /** The case a session room belongs to (party links open that case's agreement); by default the stored session's. */
  caseIdOfRoom?: (roomId: RoomId) => Promise<CaseId | null>;
  /** Overrides of the co-editing limits (tests, benchmarks). */
  collabLimits?: Partial<CollabLimits>;
}

export interface App {
  httpServer: http.Server;
  /** The base URL links are made with (PUBLIC_URL, or http://localhost:<bound port>). */
  url: string;
  pool: WorkerPool;
  rooms: LiveRooms;
  /** Cases, staff, organisation and reports, on the database. */
  records: RecordsApp;
  /** Remote notarization: acts, recordings, journal, seal (server/notary). */
  notary: Notary;
  /** The agreement co-editing endpoint (/collab/<caseId>). */
  collab: CollabServer;
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
  // The seal CA and the database first: a bad DATA_DIR or DATABASE_URL fails the start before any worker is spawned.
  const sealCa = await DeploymentCa.open({ dir: path.join(config.database.dataDir, 'seal-ca') });
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
  let closing = false;
  let url = config.publicUrl ?? '';
  const roomStore = new SqlRoomStore(records.db);
  const joinTokens = new JoinTokens(config.tokenSecret);
  const links = new SessionLinks({ db: records.db, joinTokens, baseUrl: () => url });
  // Experts on call and mediators asking for one, and which node holds each room: on Redis when REDIS_URL is set.
  const presenceStore = await createPresenceStore(config.presence, logger).catch(async (error: unknown) => {
    pool.close();
    await records.close();
    throw error;
  });
  const router: NodeRouter = presenceStore.redis
    ? new RedisNodeRouter({
        client: presenceStore.redis,
        prefix: config.presence.prefix,
        url: () => url,
        load: () => ({ rooms: rooms.size, participants: rooms.participants }),
        logger,
      })
    : singleNode;
  const roomElsewhere = (roomId: RoomId) => router.elsewhere(roomId);
  // Rooms know nothing of the database: consents reach the audit log through this callback.
  const rooms = new LiveRooms(pool, mediaLogger, {
    router,
    onRecordingConsent: (consent) =>
      void sessions
        .recordConsent(consent)
        .catch((err: unknown) => logger.error({ err, roomId: consent.roomId }, 'createApp(): consent not audited')),
  });
  const sessions = new SessionService({
    records: records.records,
    cases: records.cases,
    links,
    logger,
    onLinkRevoked: (roomId, linkId) => void rooms.removeLink(roomId, linkId),
  });
  const recordRoutes = Router();
  recordRoutes.use(records.router);
  recordRoutes.use('/api', sessionRoutes(sessions));

  const { app, createRoomWithLinks } = createRoutes({
    joinTokens,
    roomStore,
    links,
    roomElsewhere,
    db: records.db,
    clientDir: deps.clientDir ?? defaultClientDir(),
    adminToken: config.adminToken,
    linkTtlSeconds: config.linkTtlSeconds,
    isReady: () => !closing && pool.ready,
    baseUrl: () => url,
    logger,
    recordRoutes,
  });
  const httpServer = http.createServer(app);
  const io = createSocketServer({ httpServer, joinTokens, roomStore, links, rooms, roomElsewhere, logger });
  recordRoutes.use('/api/experts', expertRoutes({ records: records.records, store: presenceStore.store }));
  const { redisUrl, prefix } = config.presence;
  const adapter = redisUrl ? await attachRedisAdapter(io, { redisUrl, prefix }, logger) : undefined;
  const presence = new PresenceService({
    io,
    records: records.records,
    store: presenceStore.store,
    logger,
    dispatch: { offerTimeoutMs: config.presence.offerTimeoutMs, ringAtOnce: config.presence.ringAtOnce },
    crossNode: adapter !== undefined,
    joinLinkForAcceptedOffer: expertJoinLinks({ db: records.db, links }),
  });
  const collab = createCollabServer({
    httpServer,
    records: records.records,
    joinTokens,
    caseIdOfRoom: deps.caseIdOfRoom ?? roomStore.caseIdOfRoom,
    checkLink: async (claims) => {
      await links.check(claims);
      // An expert reads the agreement only once every party of the session agreed to them.
      if (claims.role === 'expert' && !rooms.expertCleared(claims.roomId, claims.linkId)) {
        throw new AppError('FORBIDDEN', 'the parties have not all agreed to an expert taking part yet');
      }
    },
    publicOrigin: () => config.publicUrl,
    logger,
    limits: deps.collabLimits,
  });
  refuseUnservedUpgrades(httpServer, [io.path(), AGREEMENT_PATH]);
  const signing = new AgreementSigning({
    records: records.records,
    collab,
    caseIdOfRoom: (roomId) => (deps.caseIdOfRoom ?? roomStore.caseIdOfRoom)(roomId as RoomId),
    seal: agreementSealer({
      records: records.records,
      ca: sealCa,
    }),
    logger,
  });
  const agreements = new SqlAgreementStore(records.db);
  const partyAccess = (caseId: CaseId) => agreements.partyAccess(caseId);
  recordRoutes.use('/api/agreement', signingRoutes({ signing, joinTokens, links, partyAccess }));
  recordRoutes.use('/api/cases', staffAgreementRoutes({ signing, collab, records: records.records, partyAccess }));
  const notary = createNotary({
    db: records.db,
    records: records.records,
    rooms,
    ca: sealCa,
    dataKey: records.dataKey,
    dataDir: config.database.dataDir,
    listenIp: config.rtc.listenIp,
    retention: config.notary.retention,
    office: config.notary.office,
    roomLinkOf: async (sessionId) => {
      // The newest moderator link of the room that still opens it: the notary's own.
      const now = Date.now();
      const usable = (await new SqlSessionLinkStore(records.db).linksOf([sessionId as RoomId])).filter(
        (l) => l.role === 'mediator' && !l.revokedAt && l.expiresAt.getTime() > now,
      );
      const newest = usable.at(-1);
      return newest ? ((await links.view(newest, true)).url ?? null) : null;
    },
    logger,
  });
  recordRoutes.use('/api/notary', notary.router);

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    await presence.close();
    await adapter?.close();
    await router.close();
    await presenceStore.close();
    await collab.close();
    await notary.close();
    pool.close();
    await records.close();
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  url ||= `http://localhost:${port}`;
  if (router instanceof RedisNodeRouter) await router.start();
  logger.info({ port, url, workers: pool.workers.length }, 'createApp(): listening');

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      closing = true;
      await collab.close(); // before io.close(): the HTTP server waits for upgraded sockets too
      await presence.close(); // withdraws ringing calls while the experts' sockets are still there
      await io.close(); // disconnects every socket and closes the HTTP server
      await notary.close(); // running recordings are finished and kept before their rooms close
      await adapter?.close();
      rooms.closeAll();
      await router.close();
      await presenceStore.close();
      pool.close();
      await records.close();
      logger.info('createApp(): closed');
    })());

  return { httpServer, url, pool, rooms, records, notary, collab, createRoomWithLinks, close };
}
