/**
 * What staff do with a case's sessions: schedule one (with a link per party
 * and one for the mediator, and the text to send each party), list them, add
 * a link for an expert or observer, revoke a link, opt the case in to
 * recording. Each change asks can() and writes its audit row in the same
 * transaction; a revocation then ends the link's live connections at once.
 */
import type { Logger } from 'pino';
import type { CaseStatus } from '../../shared/cases';
import { AppError } from '../../shared/errors';
import type { CaseId, RoomId } from '../../shared/ids';
import type { Role } from '../../shared/roles';
import type { CaseSessions, LinkView, ScheduledSession, SessionView, SmsText } from '../../shared/sessions';
import { SqlAuditLog } from '../audit/AuditLog';
import type { Actor } from '../authz/actor';
import { authorize } from '../authz/authorize';
import { can, type SessionAction } from '../authz/can';
import type { CaseService, CaseView } from '../cases/CaseService';
import { SqlCaseStore, type CaseRecord } from '../cases/CaseStore';
import type { Queryable } from '../db/Db';
import type { Records } from '../records';
import type { RecordingConsentEvent } from '../rooms/LiveRoom';
import { mintRoomId } from '../rooms/RoomStore';
import type { SessionLinks } from './SessionLinks';
import { SqlSessionLinkStore, type LinkRecord, type SessionRecord } from './SessionStore';
import { smsText } from './smsText';

export interface ScheduleInput {
  scheduledAt: Date;
  title?: string | undefined;
  waitingRoom: boolean;
  linkTtlHours: number;
  singleDevice: boolean;
}

export interface AddLinkInput {
  role: Extract<Role, 'expert' | 'observer' | 'mediator'>;
  label: string;
  linkTtlHours: number;
}

export interface SessionServiceDeps {
  records: Records;
  cases: CaseService;
  links: SessionLinks;
  logger: Logger;
  /** Ends the live connections of a revoked link (LiveRooms.removeLink). */
  onLinkRevoked(roomId: RoomId, linkId: string): void;
}

/** Sessions are held while the dispute is open; a concluded or closed case has no more meetings. */
const SCHEDULABLE: readonly CaseStatus[] = ['registered', 'mediating'];

interface Tx {
  cases: SqlCaseStore;
  sessions: SqlSessionLinkStore;
  audit: SqlAuditLog;
}

export class SessionService {
  readonly #records: Records;
  readonly #cases: CaseService;
  readonly #links: SessionLinks;
  readonly #log: Logger;
  readonly #onLinkRevoked: SessionServiceDeps['onLinkRevoked'];

  constructor(deps: SessionServiceDeps) {
    this.#records = deps.records;
    this.#cases = deps.cases;
    this.#links = deps.links;
    this.#log = deps.logger.child({ component: 'sessions' });
    this.#onLinkRevoked = deps.onLinkRevoked;
  }

  async schedule(actor: Actor, caseId: CaseId, input: ScheduleInput): Promise<ScheduledSession> {
    const { record, session, links } = await this.#tx(async (t, q) => {
      const record = await this.#lockCase(t, actor, caseId, 'session:schedule');
      assertOpen(record);
      const session = await t.sessions.insertSession({
        id: mintRoomId(),
        caseId,
        title: input.title ?? `${record.caseNo} 调解会议`,
        scheduledAt: input.scheduledAt,
        waitingRoom: input.waitingRoom,
        recording: record.sessionRecording,
        createdBy: actor.staffId,
      });
      const common = {
        sessionId: session.id,
        ttlSeconds: input.linkTtlHours * 3600,
        validFrom: input.scheduledAt,
        createdBy: actor.staffId,
      };
      const links: LinkRecord[] = [];
      for (const party of await t.cases.parties(caseId)) {
        links.push(
          await this.#links.issue(q, {
            ...common,
            role: 'party',
            partyId: party.id,
            label: party.name,
            singleDevice: input.singleDevice,
          }),
        );
      }
      // The mediator may switch between a desk computer and a phone: never bound to one device.
      links.push(await this.#links.issue(q, { ...common, role: 'mediator', label: actor.displayName }));
      await t.audit.write({
        actorId: actor.staffId,
        action: 'session.scheduled',
        entity: 'session',
        entityId: session.id,
        caseId,
        details: {
          scheduledAt: input.scheduledAt.toISOString(),
          waitingRoom: session.waitingRoom,
          recording: session.recording,
          links: links.map((l) => ({ linkId: l.id, role: l.role, partyId: l.partyId, singleDevice: l.singleDevice })),
        },
      });
      return { record, session, links };
    });
    this.#log.info({ caseId, sessionId: session.id, links: links.length }, 'schedule(): scheduled');
    const views = await Promise.all(links.map((l) => this.#links.view(l, true)));
    const sender = record.committeeName ?? record.gridName;
    const smsTexts: SmsText[] = views.flatMap((view) =>
      view.partyId && view.url
        ? [
            {
              linkId: view.linkId,
              partyId: view.partyId,
              text: smsText({ sender, partyName: view.label, scheduledAt: input.scheduledAt, url: view.url }),
            },
          ]
        : [],
    );
    return { session: sessionView(session), links: views, smsTexts };
  }

  async list(actor: Actor, caseId: CaseId): Promise<CaseSessions> {
    const record = await this.#records.read.cases.get(caseId);
    if (!record) throw new AppError('NOT_FOUND', 'no such case');
    authorize(actor, 'session:read', record);
    // Seeing that a link exists is not holding it: only who may hand links out gets their URLs.
    const withUrls = can(actor, 'session:schedule', record).allowed;
    const store = new SqlSessionLinkStore(this.#records.db);
    const sessions = await store.sessionsOfCase(caseId);
    const links = await store.linksOf(sessions.map((s) => s.id));
    return {
      sessions: await Promise.all(
        sessions.map(async (session) => ({
          session: sessionView(session),
          links: await Promise.all(
            links.filter((l) => l.sessionId === session.id).map((l) => this.#links.view(l, withUrls)),
          ),
        })),
      ),
    };
  }

  async addLink(actor: Actor, sessionId: RoomId, input: AddLinkInput): Promise<LinkView> {
    const link = await this.#tx(async (t, q) => {
      const session = await this.#sessionOfCase(t, sessionId);
      const record = await this.#lockCase(t, actor, session.caseId, 'session:schedule');
      assertOpen(record);
      const link = await this.#links.issue(q, {
        sessionId,
        role: input.role,
        label: input.label,
        ttlSeconds: input.linkTtlHours * 3600,
        validFrom: session.scheduledAt ?? undefined,
        createdBy: actor.staffId,
      });
      await t.audit.write({
        actorId: actor.staffId,
        action: 'session.linkIssued',
        entity: 'session',
        entityId: sessionId,
        caseId: record.id,
        details: { linkId: link.id, role: link.role, label: link.label, expiresAt: link.expiresAt.toISOString() },
      });
      return link;
    });
    this.#log.info({ sessionId, linkId: link.id, role: link.role }, 'addLink(): issued');
    return this.#links.view(link, true);
  }

  /** Idempotent: revoking a revoked link answers with it as it is. */
  async revoke(actor: Actor, sessionId: RoomId, linkId: string): Promise<LinkView> {
    const { link, withUrl } = await this.#tx(async (t) => {
      const session = await this.#sessionOfCase(t, sessionId);
      const record = await this.#lockCase(t, actor, session.caseId, 'session:revokeLink');
      const existing = await t.sessions.link(linkId);
      if (!existing || existing.sessionId !== sessionId)
        throw new AppError('NOT_FOUND', 'no such link in this session');
      const revoked = await t.sessions.revoke(linkId, actor.staffId);
      if (revoked) {
        await t.audit.write({
          actorId: actor.staffId,
          action: 'session.linkRevoked',
          entity: 'session',
          entityId: sessionId,
          caseId: record.id,
          details: { linkId, role: existing.role, label: existing.label },
        });
      }
      return { link: revoked ?? existing, withUrl: can(actor, 'session:schedule', record).allowed };
    });
    // After the commit: whoever is in the room with this link leaves now, not when their phone reconnects.
    this.#onLinkRevoked(sessionId, linkId);
    this.#log.info({ sessionId, linkId }, 'revoke(): revoked');
    return this.#links.view(link, withUrl);
  }

  async setRecording(actor: Actor, caseId: CaseId, enabled: boolean): Promise<CaseView> {
    await this.#tx(async (t) => {
      const record = await this.#lockCase(t, actor, caseId, 'session:configureRecording');
      if (record.status === 'closed') throw new AppError('CONFLICT', 'this case is closed and cannot change');
      if (record.sessionRecording === enabled) return;
      await t.sessions.setCaseRecording(caseId, enabled);
      await t.audit.write({
        actorId: actor.staffId,
        action: 'case.recordingChanged',
        entity: 'case',
        entityId: caseId,
        caseId,
        details: { from: record.sessionRecording, to: enabled },
      });
      this.#log.info({ caseId, enabled }, 'setRecording(): changed');
    });
    return this.#cases.get(actor, caseId);
  }

  /** Audits one participant's consent to the recording, on the session's case. Parties have no account: no actor. */
  async recordConsent(consent: RecordingConsentEvent): Promise<void> {
    const linkId = consent.participantKey.slice(0, consent.participantKey.indexOf(':'));
    const session = await new SqlSessionLinkStore(this.#records.db).session(consent.roomId);
    await new SqlAuditLog(this.#records.db).write({
      actorId: null,
      action: 'session.recordingConsented',
      entity: 'session',
      entityId: consent.roomId,
      caseId: session?.caseId ?? null,
      details: { linkId, displayName: consent.displayName, role: consent.role, peerId: consent.peerId },
    });
  }

  #tx<T>(fn: (t: Tx, q: Queryable) => Promise<T>): Promise<T> {
    return this.#records.db.transaction((q) =>
      fn({ cases: new SqlCaseStore(q), sessions: new SqlSessionLinkStore(q), audit: new SqlAuditLog(q) }, q),
    );
  }

  /** The case row, locked until the transaction ends, after can() said yes. */
  async #lockCase(t: Tx, actor: Actor, caseId: CaseId, action: SessionAction): Promise<CaseRecord> {
    const record = await t.cases.get(caseId, { forUpdate: true });
    if (!record) throw new AppError('NOT_FOUND', 'no such case');
    authorize(actor, action, record);
    return record;
  }

  async #sessionOfCase(t: Tx, sessionId: RoomId): Promise<SessionRecord & { caseId: CaseId }> {
    const session = await t.sessions.session(sessionId);
    if (!session) throw new AppError('NOT_FOUND', 'no such session');
    if (!session.caseId)
      throw new AppError('FORBIDDEN', 'this room belongs to no case; it is run through the admin API');
    return session as SessionRecord & { caseId: CaseId };
  }
}

function assertOpen(record: CaseRecord): void {
  if (!SCHEDULABLE.includes(record.status)) {
    throw new AppError('CONFLICT', `sessions are held while a case is open; this one is ${record.status}`);
  }
}

export function sessionView(s: SessionRecord): SessionView {
  return {
    id: s.id,
    caseId: s.caseId,
    title: s.title,
    scheduledAt: s.scheduledAt?.toISOString() ?? null,
    waitingRoom: s.waitingRoom,
    recording: s.recording,
    createdAt: s.createdAt.toISOString(),
  };
}
