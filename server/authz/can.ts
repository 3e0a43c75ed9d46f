/**
 * The one decision of what a staff member may do: can(actor, action, resource)
 * returns { allowed, reason } as data. Every HTTP route (and socket handler
 * that touches a case) asks it; nothing else compares roles.
 *
 * The rules, as the ladder has them: a mediator acts on the cases their grid or
 * committee holds and on the cases they handle, and reads the cases of their
 * area (grid, township or district); coordinators read their area's cases and
 * reports; administrators manage the organisation and staff, never case
 * contents; notaries and experts get nothing on cases until an issue grants it;
 * parties have no account and get nothing here.
 */
import type { Level } from '../../shared/cases';
import type { CommitteeId, DistrictId, GridId, StaffId, TownshipId } from '../../shared/ids';
import type { StaffRole } from '../../shared/staff';
import type { Actor, Post } from './actor';

export const CASE_ACTIONS = [
  'case:read',
  'case:register',
  /** Move the status along the lifecycle (start, agree, fail, withdraw, close). */
  'case:mediate',
  'case:escalate',
  /** Name (or change) the handler. */
  'case:assign',
  'case:followUp',
  /** See parties' ID numbers unmasked. */
  'case:revealIdNumbers',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

/** The co-edited agreement of a case (server/collab); decided on the case like the case actions. */
export const AGREEMENT_ACTIONS = [
  'agreement:read',
  'agreement:edit',
  /** Choose whether the parties edit the agreement or only comment on it. */
  'agreement:configure',
] as const;
export type AgreementAction = (typeof AGREEMENT_ACTIONS)[number];

/** The sessions of a case and their join links (server/sessions); decided on the case like the case actions. */
export const SESSION_ACTIONS = [
  /** See the case's sessions and who has a link (not the links themselves). */
  'session:read',
  /** Schedule a session and hand out its links (and see them). */
  'session:schedule',
  'session:revokeLink',
  /** Opt the case's sessions in to recording, or out again. */
  'session:configureRecording',
] as const;
export type SessionAction = (typeof SESSION_ACTIONS)[number];

/** Remote notarization (server/notary): notarial acts and the notary's journal. */
export const NOTARY_ACTIONS = [
  /** Schedule a notarial act (the notary who schedules it performs it). */
  'notary:schedule',
  /** Read an act and move it along (identity, consent, signing, seal, interruption, abort). */
  'notary:act',
  /** Read and export one's own journal entries. */
  'notary:readJournal',
] as const;
export type NotaryAction = (typeof NOTARY_ACTIONS)[number];

/** What a notary action is decided on: the act's notary (null for scheduling and one's own journal). */
export interface NotaryScope {
  notaryId: StaffId | null;
}

export const ACTIONS = [
  ...CASE_ACTIONS,
  ...AGREEMENT_ACTIONS,
  ...SESSION_ACTIONS,
  ...NOTARY_ACTIONS,
  'report:read',
  'org:read',
  'org:manage',
  'staff:manage',
] as const;
export type Action = (typeof ACTIONS)[number];

/** What can() needs to know about a case (or a case about to be registered). */
export interface CaseScope {
  level: Level;
  districtId: DistrictId;
  townshipId: TownshipId;
  gridId: GridId;
  committeeId: CommitteeId | null;
  handlerId: StaffId | null;
}

/** A part of the organisation a report covers: a district, or one of its townships or grids. */
export interface Area {
  districtId: DistrictId;
  townshipId: TownshipId | null;
  gridId: GridId | null;
}

/** The resource each action is decided on. */
export type ResourceOf<A extends Action> = A extends CaseAction | AgreementAction | SessionAction
  ? CaseScope
  : A extends 'report:read'
    ? Area
    : A extends NotaryAction
      ? NotaryScope
      : null;

export interface Decision {
  allowed: boolean;
  /** A sentence for the caller and the log: why yes, or why not. */
  reason: string;
}

/** How an actor stands to a case. */
type Relation = 'handler' | 'holder' | 'area';

const ALL_CASE_WORK = ['case:read', 'case:mediate', 'case:escalate', 'case:assign', 'case:followUp'] as const;

/** The policy: per role, what each relation to a case grants. Absent means nothing. */
export const CASE_POLICY: Record<StaffRole, Partial<Record<Relation, readonly CaseAction[]>>> = {
  mediator: {
    handler: [...ALL_CASE_WORK, 'case:revealIdNumbers'],
    holder: [...ALL_CASE_WORK, 'case:register'],
    area: ['case:read'],
  },
  coordinator: { area: ['case:read'] },
  notary: {},
  expert: {},
  admin: {},
};

/** Who works on a case drafts its agreement; who may read the case reads it. Experts and observers join by link. */
export const AGREEMENT_POLICY: Record<StaffRole, Partial<Record<Relation, readonly AgreementAction[]>>> = {
  mediator: {
    handler: ['agreement:read', 'agreement:edit', 'agreement:configure'],
    holder: ['agreement:read', 'agreement:edit', 'agreement:configure'],
    area: ['agreement:read'],
  },
  coordinator: { area: ['agreement:read'] },
  notary: {},
  expert: {},
  admin: {},
};

/** Who may mediate a case runs its sessions; who may read it sees that they exist. */
export const SESSION_POLICY: Record<StaffRole, Partial<Record<Relation, readonly SessionAction[]>>> = {
  mediator: {
    handler: SESSION_ACTIONS,
    holder: SESSION_ACTIONS,
    area: ['session:read'],
  },
  coordinator: { area: ['session:read'] },
  notary: {},
  expert: {},
  admin: {},
};

const REASON_FOR: Record<Relation, (post: Post | null) => string> = {
  handler: () => 'you handle this case',
  holder: (post) => (post?.level === 'grid' ? 'your grid holds this case' : 'your committee holds this case'),
  area: (post) => `this case is in your ${post?.level ?? 'area'}`,
};

const allow = (reason: string): Decision => ({ allowed: true, reason });
const deny = (reason: string): Decision => ({ allowed: false, reason });

export function can<A extends Action>(actor: Actor | null, action: A, resource: ResourceOf<A>): Decision {
  if (!actor) return deny('staff login required (parties have no access to records)');
  if (isCaseAction(action)) return decideOnCase(actor, action, resource as CaseScope);
  if (isAgreementAction(action)) return decideOnAgreement(actor, action, resource as CaseScope);
  if (isSessionAction(action)) return decideOnSession(actor, action, resource as CaseScope);
  if ((NOTARY_ACTIONS as readonly string[]).includes(action)) {
    return decideOnNotarial(actor, action as NotaryAction, resource as NotaryScope);
  }
  switch (action) {
    case 'org:read':
      return allow('every staff member may see the organisation');
    case 'org:manage':
    case 'staff:manage':
      return actor.role === 'admin'
        ? allow('administrators manage the organisation and staff')
        : deny('administrators only');
    case 'report:read':
      return decideOnReport(actor, resource as Area);
  }
  return deny(`unknown action ${String(action)}`);
}

/**
 * Notarial acts are the notary's own: a notary schedules and performs acts and
 * keeps a journal of them; nobody else, administrators included, acts in
 * their name or reads their journal through the app (the journal CLI is for
 * the operator).
 */
function decideOnNotarial(actor: Actor, action: NotaryAction, scope: NotaryScope | null): Decision {
  if (actor.role !== 'notary') return deny('notaries only');
  if (action === 'notary:act' && scope?.notaryId !== actor.staffId) return deny('this act is another notary’s');
  return allow('notaries perform and journal their own acts');
}

/** Every case action at once, for a client that shows only the buttons that will work. */
export function permissionsOn(actor: Actor, scope: CaseScope): Record<CaseAction, boolean> {
  return Object.fromEntries(CASE_ACTIONS.map((action) => [action, can(actor, action, scope).allowed])) as Record<
    CaseAction,
    boolean
  >;
}

/**
 * The cases an actor may read, as data a store turns into a WHERE clause; it
 * is derived from CASE_POLICY so listing and can() cannot disagree.
 */
export interface ReadScope {
  /** Cases this staff member handles. */
  handlerId: StaffId | null;
  /** Cases inside this area. */
  area: Area | null;
}

export function readScopeOf(actor: Actor): ReadScope {
  const policy = CASE_POLICY[actor.role];
  const grants = (relation: Relation) => policy[relation]?.includes('case:read') ?? false;
  const post = actor.post;
  return {
    handlerId: grants('handler') ? actor.staffId : null,
    area: post && (grants('area') || grants('holder')) ? areaOfPost(post) : null,
  };
}

export function isCaseAction(action: Action): action is CaseAction {
  return (CASE_ACTIONS as readonly string[]).includes(action);
}

function decideOnCase(actor: Actor, action: CaseAction, scope: CaseScope): Decision {
  const policy = CASE_POLICY[actor.role];
  const relations = relationsOf(actor, scope);
  const granting = relations.find((relation) => policy[relation]?.includes(action));
  if (granting) return allow(REASON_FOR[granting](actor.post));
  if (actor.role === 'admin') return deny('administrators manage the organisation and staff, not case contents');
  if (actor.role === 'notary' || actor.role === 'expert') return deny(`${actor.role}s have no access to case records`);
  if (action === 'case:revealIdNumbers') return deny("only the case's handler sees ID numbers in full");
  if (relations.length === 0) return deny(`this case is outside your ${actor.post?.level ?? 'area'}`);
  return deny(
    actor.role === 'coordinator'
      ? 'coordinators read cases and reports; they do not act on cases'
      : 'only the handler, or the grid or committee holding the case, may do this',
  );
}

export function isAgreementAction(action: Action): action is AgreementAction {
  return (AGREEMENT_ACTIONS as readonly string[]).includes(action);
}

function decideOnAgreement(actor: Actor, action: AgreementAction, scope: CaseScope): Decision {
  const relations = relationsOf(actor, scope);
  const granting = relations.find((relation) => AGREEMENT_POLICY[actor.role][relation]?.includes(action));
  if (granting) return allow(REASON_FOR[granting](actor.post));
  if (actor.role === 'admin') return deny('administrators manage the organisation and staff, not case contents');
  if (actor.role === 'notary' || actor.role === 'expert')
    return deny(`${actor.role}s open an agreement through the session link`);
  if (relations.length === 0) return deny(`this case is outside your ${actor.post?.level ?? 'area'}`);
  return deny('only the handler, or the grid or committee holding the case, may change its agreement');
}

export function isSessionAction(action: Action): action is SessionAction {
  return (SESSION_ACTIONS as readonly string[]).includes(action);
}

function decideOnSession(actor: Actor, action: SessionAction, scope: CaseScope): Decision {
  const relations = relationsOf(actor, scope);
  const granting = relations.find((relation) => SESSION_POLICY[actor.role][relation]?.includes(action));
  if (granting) return allow(REASON_FOR[granting](actor.post));
  if (actor.role === 'admin') return deny('administrators manage the organisation and staff, not case sessions');
  if (actor.role === 'notary' || actor.role === 'expert')
    return deny(`${actor.role}s join a session through the link a mediator sends`);
  if (relations.length === 0) return deny(`this case is outside your ${actor.post?.level ?? 'area'}`);
  return deny(
    actor.role === 'coordinator'
      ? 'coordinators see sessions; they do not run them'
      : "only the handler, or the grid or committee holding the case, may run this case's sessions",
  );
}

function relationsOf(actor: Actor, scope: CaseScope): Relation[] {
  const relations: Relation[] = [];
  if (scope.handlerId !== null && scope.handlerId === actor.staffId) relations.push('handler');
  const post = actor.post;
  if (post && inArea(scope, areaOfPost(post))) {
    const holds =
      scope.level === post.level &&
      (post.level === 'grid'
        ? scope.gridId === post.gridId
        : post.committeeId !== null && scope.committeeId === post.committeeId);
    if (holds) relations.push('holder');
    relations.push('area');
  }
  return relations;
}

function decideOnReport(actor: Actor, area: Area): Decision {
  if (actor.role !== 'coordinator' || !actor.post) return deny('reports are for coordinators');
  return inArea(area, areaOfPost(actor.post))
    ? allow('this is your area')
    : deny(`this area is outside your ${actor.post.level}`);
}

function areaOfPost(post: Post): Area {
  return { districtId: post.districtId, townshipId: post.townshipId, gridId: post.gridId };
}

/** Whether `inner` (a case or an area) lies within `outer`. */
function inArea(
  inner: { districtId: DistrictId; townshipId: TownshipId | null; gridId: GridId | null },
  outer: Area,
): boolean {
  if (inner.districtId !== outer.districtId) return false;
  if (outer.townshipId !== null && inner.townshipId !== outer.townshipId) return false;
  if (outer.gridId !== null && inner.gridId !== outer.gridId) return false;
  return true;
}
