/**
 * What staff do to cases: register, list, read, move along the lifecycle,
 * escalate, assign, follow up. Each call asks can() first and, for a change,
 * locks the case row, applies the lifecycle rule and writes the audit row in
 * the same transaction. HTTP routes (and later socket handlers) only parse
 * input and call these.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  LEVEL_ORDER,
  type CaseStatus,
  type DisputeType,
  type FollowUpMethod,
  type PartyRole,
  type Performance,
} from '../../shared/cases';
import { AppError } from '../../shared/errors';
import type { CaseId, CommitteeId, GridId, PartyId, StaffId } from '../../shared/ids';
import type { Actor } from '../authz/actor';
import { authorize } from '../authz/authorize';
import { can, permissionsOn, readScopeOf, type CaseAction, type CaseScope } from '../authz/can';
import type { SealedBox } from '../crypto/sealedBox';
import type { Records, Stores } from '../records';
import type { Grid } from '../org/OrgStore';
import { yearInChina } from '../reports/period';
import type { AuditEntry } from '../audit/AuditLog';
import {
  partyIdContext,
  type CaseFilter,
  type CaseRecord,
  type EscalationRecord,
  type FollowUpRecord,
} from './CaseStore';
import { idNumberTail, maskedIdNumber } from './idNumber';
import { checkTransition, ESCALATABLE, FOLLOW_UP_OPEN, OUTCOME_OF } from './statusMachine';

export interface NewParty {
  role: PartyRole;
  name: string;
  contact: string;
  /** Already validated and normalised (idNumber.ts). */
  idNumber?: string | undefined;
}

export interface RegisterInput {
  disputeType: DisputeType;
  gridId: GridId;
  summary: string;
  parties: NewParty[];
  /** Defaults to the registering mediator. */
  handlerId?: StaffId | undefined;
}

export interface PartyView {
  id: PartyId;
  role: PartyRole;
  name: string;
  contact: string;
  /** In full for the handler, otherwise masked to its last four characters; null when none was given. */
  idNumber: string | null;
  idNumberMasked: boolean;
}

export type CaseSummary = CaseRecord;

export interface CaseView extends CaseRecord {
  parties: PartyView[];
  escalations: EscalationRecord[];
  followUps: FollowUpRecord[];
  /** What the caller may do next, as can() decides it. */
  permissions: Record<CaseAction, boolean>;
}

export interface FollowUpInput {
  visitedAt: Date;
  method: FollowUpMethod;
  performance: Performance;
  notes: string;
}

// A visit "in the future" within this margin is clock skew between devices, not a typo.
const CLOCK_SKEW_MS = 5 * 60_000;

export class CaseService {
  readonly #records: Records;
  readonly #box: SealedBox;
  readonly #log: Logger;

  constructor(records: Records, box: SealedBox, logger: Logger) {
    this.#records = records;
    this.#box = box;
    this.#log = logger.child({ component: 'cases' });
  }

  async register(actor: Actor, input: RegisterInput): Promise<CaseView> {
    const id = randomUUID() as CaseId;
    await this.#records.transaction(async (s) => {
      const grid = await s.org.grid(input.gridId);
      if (!grid) throw new AppError('NOT_FOUND', 'no such grid');
      const draft = registrationScope(actor, grid);
      authorize(actor, 'case:register', draft);
      const handlerId = input.handlerId ?? actor.staffId;
      await assertHandler(s, handlerId, draft);
      const caseNo = await s.cases.allocateCaseNo(grid.districtId, yearInChina());
      const parties = input.parties.map((party, position) => {
        const partyId = randomUUID() as PartyId;
        return {
          id: partyId,
          position,
          role: party.role,
          name: party.name,
          contact: party.contact,
          idNumberSealed: party.idNumber ? this.#box.seal(party.idNumber, partyIdContext(partyId)) : null,
          idNumberTail: party.idNumber ? idNumberTail(party.idNumber) : null,
        };
      });
      await s.cases.insert(
        {
          ...draft,
          id,
          caseNo,
          disputeType: input.disputeType,
          summary: input.summary,
          handlerId,
          registeredBy: actor.staffId,
        },
        parties,
      );
      await s.audit.write({
        actorId: actor.staffId,
        action: 'case.registered',
        entity: 'case',
        entityId: id,
        caseId: id,
        details: {
          caseNo,
          disputeType: input.disputeType,
          level: draft.level,
          gridId: grid.id,
          handlerId,
          parties: parties.length,
        },
      });
      this.#log.info({ caseId: id, caseNo, staffId: actor.staffId, level: draft.level }, 'register(): registered');
    });
    return this.get(actor, id);
  }

  async list(actor: Actor, filter: CaseFilter): Promise<CaseSummary[]> {
    const rows = await this.#records.read.cases.list(readScopeOf(actor), filter);
    // The WHERE clause comes from the same policy; can() still has the last word on each row.
    return rows.filter((row) => can(actor, 'case:read', row).allowed);
  }

  async get(actor: Actor, id: CaseId): Promise<CaseView> {
    const s = this.#records.read;
    const record = await s.cases.get(id);
    if (!record) throw new AppError('NOT_FOUND', 'no such case');
    authorize(actor, 'case:read', record);
    const reveal = can(actor, 'case:revealIdNumbers', record).allowed;
    const parties = (await s.cases.parties(id)).map((party): PartyView => {
      const { idNumberSealed, idNumberTail: tail, position: _position, ...rest } = party;
      if (!idNumberSealed || !tail) return { ...rest, idNumber: null, idNumberMasked: false };
      return reveal
        ? { ...rest, idNumber: this.#box.open(idNumberSealed, partyIdContext(party.id)), idNumberMasked: false }
        : { ...rest, idNumber: maskedIdNumber(tail), idNumberMasked: true };
    });
    return {
      ...record,
      parties,
      escalations: await s.cases.escalations(id),
      followUps: await s.cases.followUps(id),
      permissions: permissionsOn(actor, record),
    };
  }

  async changeStatus(actor: Actor, id: CaseId, to: CaseStatus, note: string | undefined): Promise<CaseView> {
    await this.#change(actor, id, 'case:mediate', async (s, record) => {
      checkTransition(record.status, to, 'status');
      const outcome = OUTCOME_OF[to];
      // Whoever starts mediating an unassigned case (one just escalated, say) becomes its handler.
      const takesOver = to === 'mediating' && record.handlerId === null;
      await s.cases.update(id, {
        status: to,
        ...(outcome ? { outcome, concludedAt: 'now' as const } : {}),
        ...(to === 'closed' ? { closedAt: 'now' as const } : {}),
        ...(takesOver ? { handlerId: actor.staffId } : {}),
      });
      const details = {
        from: record.status,
        to,
        note: note ?? null,
        ...(takesOver ? { handlerId: actor.staffId } : {}),
      };
      return { action: 'case.statusChanged', details };
    });
    return this.get(actor, id);
  }

  async escalate(actor: Actor, id: CaseId, reason: string, committeeId: CommitteeId | undefined): Promise<CaseView> {
    await this.#change(actor, id, 'case:escalate', async (s, record) => {
      if (!ESCALATABLE.includes(record.status)) {
        throw new AppError(
          'CONFLICT',
          `only an open case (registered or mediating) can be escalated; this one is ${record.status}`,
        );
      }
      const toLevel = LEVEL_ORDER[LEVEL_ORDER.indexOf(record.level) + 1];
      if (toLevel !== 'township' && toLevel !== 'district') {
        throw new AppError('CONFLICT', 'this case is already at the district centre, the top of the ladder');
      }
      const candidates = await s.org.committeesAbove(record.townshipId, toLevel);
      const target = committeeId
        ? candidates.find((c) => c.id === committeeId)
        : candidates.length === 1
          ? candidates[0]
          : undefined;
      if (!target) {
        if (committeeId)
          throw new AppError('BAD_REQUEST', `committeeId: not a ${toLevel} committee over this case's township`);
        if (candidates.length === 0) {
          throw new AppError(
            'CONFLICT',
            `no ${toLevel === 'township' ? 'township committee' : 'district centre'} is set up above this grid; ask an administrator`,
          );
        }
        throw new AppError(
          'BAD_REQUEST',
          `committeeId: this township has ${candidates.length} committees; say which one takes the case`,
        );
      }
      // The receiving committee registers the case afresh and names its own handler.
      await s.cases.update(id, { level: toLevel, committeeId: target.id, handlerId: null, status: 'registered' });
      await s.cases.addEscalation(id, {
        id: randomUUID(),
        fromLevel: record.level,
        toLevel,
        fromCommitteeId: record.committeeId,
        toCommitteeId: target.id,
        fromStatus: record.status,
        reason,
        transferredBy: actor.staffId,
      });
      const details = { fromLevel: record.level, toLevel, toCommitteeId: target.id, fromStatus: record.status, reason };
      return { action: 'case.escalated', details };
    });
    return this.get(actor, id);
  }

  async assign(actor: Actor, id: CaseId, handlerId: StaffId): Promise<CaseView> {
    await this.#change(actor, id, 'case:assign', async (s, record) => {
      if (record.status === 'closed') throw new AppError('CONFLICT', 'this case is closed and cannot change');
      await assertHandler(s, handlerId, record);
      await s.cases.update(id, { handlerId });
      return { action: 'case.assigned', details: { from: record.handlerId, to: handlerId } };
    });
    return this.get(actor, id);
  }

  async recordFollowUp(actor: Actor, id: CaseId, input: FollowUpInput): Promise<CaseView> {
    await this.#change(actor, id, 'case:followUp', async (s, record) => {
      if (!FOLLOW_UP_OPEN.includes(record.status)) {
        throw new AppError(
          'CONFLICT',
          `a follow-up visit is recorded after an agreement; this case is ${record.status}`,
        );
      }
      if (input.visitedAt.getTime() > Date.now() + CLOCK_SKEW_MS)
        throw new AppError('BAD_REQUEST', 'visitedAt: is in the future');
      if (record.concludedAt && input.visitedAt < record.concludedAt) {
        throw new AppError('BAD_REQUEST', 'visitedAt: is before the agreement was reached');
      }
      const followUpId = randomUUID();
      await s.cases.addFollowUp(id, { id: followUpId, ...input, recordedBy: actor.staffId });
      if (record.status === 'agreed') {
        checkTransition('agreed', 'followed_up', 'followUp');
        await s.cases.update(id, { status: 'followed_up' });
      } else {
        await s.cases.update(id, {}); // touches updated_at
      }
      const details = {
        followUpId,
        method: input.method,
        performance: input.performance,
        from: record.status,
        to: 'followed_up',
      };
      return { action: 'case.followedUp', details };
    });
    return this.get(actor, id);
  }

  async auditTrail(actor: Actor, id: CaseId): Promise<AuditEntry[]> {
    const record = await this.#records.read.cases.get(id);
    if (!record) throw new AppError('NOT_FOUND', 'no such case');
    authorize(actor, 'case:read', record);
    return this.#records.read.audit.forCase(id);
  }

  /** Lock, authorize, apply, audit: the frame every change of an existing case runs in. */
  async #change(
    actor: Actor,
    id: CaseId,
    action: CaseAction,
    apply: (s: Stores, record: CaseRecord) => Promise<{ action: string; details: Record<string, unknown> }>,
  ): Promise<void> {
    await this.#records.transaction(async (s) => {
      const record = await s.cases.get(id, { forUpdate: true });
      if (!record) throw new AppError('NOT_FOUND', 'no such case');
      authorize(actor, action, record);
      const change = await apply(s, record);
      await s.audit.write({
        actorId: actor.staffId,
        action: change.action,
        entity: 'case',
        entityId: id,
        caseId: id,
        details: change.details,
      });
      this.#log.info(
        { caseId: id, staffId: actor.staffId, action: change.action, ...change.details },
        '#change(): applied',
      );
    });
  }
}

/** The case as it would be if this actor registered it in this grid: at their level, held by their unit. */
export function registrationScope(actor: Actor, grid: Grid): CaseScope {
  const post = actor.post;
  const level = post?.level ?? 'grid';
  return {
    level,
    districtId: grid.districtId,
    townshipId: grid.townshipId,
    gridId: grid.id,
    committeeId: level === 'grid' ? null : (post?.committeeId ?? null),
    handlerId: null,
  };
}

/** A handler must be an active mediator of the grid or committee holding the case. */
async function assertHandler(s: Stores, handlerId: StaffId, scope: CaseScope): Promise<void> {
  const handler = await s.staff.actor(handlerId);
  if (!handler || handler.role !== 'mediator' || !can(handler, 'case:mediate', { ...scope, handlerId: null }).allowed) {
    throw new AppError(
      'BAD_REQUEST',
      'handlerId: must be an active mediator of the grid or committee holding the case',
    );
  }
}
