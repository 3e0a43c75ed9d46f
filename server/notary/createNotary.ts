/**
 * Remote notarization, composed: the act service with its recordings made
 * from the act's live room, the notarial seal with each notary's certificate
 * from the deployment CA, and the routes under /api/notary (the notary's API
 * behind the staff login, the verification page and route public). app.ts
 * mounts `router` and calls `close()` on shutdown.
 */
import path from 'node:path';
import { Router } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../../shared/errors';
import type { RoomId } from '../../shared/ids';
import { SealedBox } from '../crypto/sealedBox';
import type { Db } from '../db/Db';
import type { Records } from '../records';
import type { LiveRooms } from '../rooms/LiveRooms';
import type { DeploymentCa } from '../seal/DeploymentCa';
import { authenticateStaff } from '../staff/authenticate';
import { NotaryCertificates } from './NotaryCertificates';
import { NotaryService } from './NotaryService';
import { sealNotarizedPdf } from './notarialSeal';
import { type RetentionPolicy } from './retention';
import { RoomRecordings } from './RoomRecordings';
import { notaryRoutes } from './routes';
import { notaryVerifyRoutes } from './verifyRoutes';

export interface NotaryDeps {
  db: Db;
  records: Records;
  rooms: LiveRooms;
  ca: DeploymentCa;
  /** The deployment's data key: the notaries' certificate keys are sealed with it. */
  dataKey: Buffer;
  /** Recordings go to `<dataDir>/recordings`. */
  dataDir: string;
  /** The media workers' listen IP, for the recorder's PlainTransports. */
  listenIp: string;
  retention?: RetentionPolicy;
  /** The notary office, as the seal's organization and location. */
  office?: string;
  /** The notary's own join link into an act's room (server/sessions), shown by the console beside the stills. */
  roomLinkOf?(sessionId: string): Promise<string | null>;
  logger: Logger;
}

export interface Notary {
  service: NotaryService;
  /** Mount at /api/notary. */
  router: Router;
  close(): Promise<void>;
}

export function createNotary(deps: NotaryDeps): Notary {
  const log = deps.logger.child({ component: 'notary' });
  const office = deps.office ?? 'Gridroom';
  const box = new SealedBox(deps.dataKey);
  const recordings = new RoomRecordings({
    dir: path.join(deps.dataDir, 'recordings'),
    mediaFor: async (act) => {
      const live = act.sessionId ? await deps.rooms.find(act.sessionId as RoomId) : undefined;
      // A recorded room tells everyone before media flows and takes each participant's consent
      // (LiveRoom): an act is recorded only in such a room.
      if (live && !live.settings.recording) {
        throw new AppError(
          'ACT_PRECONDITION_FAILED',
          'the act’s room must be a recorded room (created with recording on)',
        );
      }
      return live?.media;
    },
    listenIp: deps.listenIp,
    logger: deps.logger,
    // Called only while a recording runs, long after `service` below exists.
    onMediaLost: (act, _attempt, reason) => {
      service.apply(act.id, { type: 'interrupt', reason }).catch((error: unknown) => {
        // A second lost stream finds the act interrupted already: nothing to do.
        if (!(error instanceof AppError && error.code === 'ACT_ILLEGAL_TRANSITION'))
          log.error({ err: error, actId: act.id }, 'interrupt failed');
      });
    },
  });
  const service: NotaryService = new NotaryService(deps.db, {
    recording: recordings,
    retention: deps.retention,
    logger: deps.logger,
    sealer: async (tx, act, journal, signedPdf) => {
      const certificate = await new NotaryCertificates(tx, deps.ca, box).forNotary({
        id: act.notaryId,
        name: act.notaryName,
        office,
      });
      return sealNotarizedPdf(
        signedPdf,
        certificate,
        {
          actId: act.id,
          journalSeq: journal.seq,
          documentSha256: journal.entry.document.sha256!,
          recordingSha256: journal.entry.recordings.map((r) => r.sha256),
        },
        { location: office, signingTime: journal.recordedAt },
      );
    },
  });

  const router = Router();
  router.use(['/acts', '/journal'], authenticateStaff(deps.records));
  router.use(
    notaryRoutes(service, deps.db, {
      mediaDir: recordings.dir,
      roomLinkOf: async (act) => (act.sessionId && deps.roomLinkOf ? deps.roomLinkOf(act.sessionId) : null),
      participantsOf: async (act) => {
        const live = act.sessionId ? await deps.rooms.find(act.sessionId as RoomId) : undefined;
        return (live?.joinedPeers ?? []).map((peer) => ({
          peerId: peer.peerId,
          displayName: peer.displayName,
          camera: live!.media.getPeer(peer.peerId)?.producers.some((p) => p.appData.source === 'camera') ?? false,
        }));
      },
    }),
  );
  router.use(notaryVerifyRoutes({ q: deps.db, caCertificatePem: deps.ca.certificatePem }));
  return { service, router, close: () => recordings.close() };
}
