/**
 * The collab server wired to the records: sessions and case scopes for
 * access, case number and parties for a new agreement's template, and the
 * agreement tables on the same database. app.ts calls this.
 */
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import type { CaseId, RoomId } from '../../shared/ids';
import type { JoinClaims, JoinTokens } from '../links/joinToken';
import type { Records } from '../records';
import { SqlAgreementStore } from './AgreementStore';
import { CollabServer } from './CollabServer';
import type { CollabLimits } from './limits';

export interface CollabDeps {
  httpServer: HttpServer;
  records: Records;
  joinTokens: JoinTokens;
  /** The case a session room belongs to, for party links (null: the room is not a case's). */
  caseIdOfRoom(roomId: RoomId): Promise<CaseId | null>;
  /** Refuses a revoked, expired or unknown stored link (server/sessions SessionLinks.check). */
  checkLink(claims: JoinClaims): Promise<void>;
  /** PUBLIC_URL, an origin the app's pages are served from. */
  publicOrigin: () => string | undefined;
  logger: Logger;
  limits?: Partial<CollabLimits>;
}

export function createCollabServer(deps: CollabDeps): CollabServer {
  const { records } = deps;
  return new CollabServer({
    httpServer: deps.httpServer,
    store: new SqlAgreementStore(records.db),
    access: {
      actorForToken: (tokenHash, now) => records.read.sessions.actorForToken(tokenHash, now),
      caseScope: (caseId) => records.read.cases.get(caseId),
      joinTokens: deps.joinTokens,
      caseIdOfRoom: deps.caseIdOfRoom,
      checkLink: deps.checkLink,
      publicOrigin: deps.publicOrigin,
    },
    templateOf: async (caseId) => {
      const record = await records.read.cases.get(caseId);
      if (!record) return null;
      const parties = await records.read.cases.parties(caseId);
      return {
        caseNo: record.caseNo,
        committee: record.committeeName ?? '',
        parties: parties.map((p) => ({
          role: p.role,
          name: p.name,
          // 18 characters, the last four shown: enough to tell who is meant, nothing to steal.
          ...(p.idNumberTail && { idNumber: `${'*'.repeat(14)}${p.idNumberTail}` }),
        })),
        mediator: record.handlerName ?? '',
      };
    },
    logger: deps.logger,
    limits: deps.limits,
  });
}
