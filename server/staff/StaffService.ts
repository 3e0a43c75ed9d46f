/**
 * Staff accounts: login (password → session), logout, and the administrator's
 * account management. Sessions expire after SESSION_TTL_HOURS; deactivating an
 * account ends its sessions at once.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../../shared/errors';
import type { StaffId } from '../../shared/ids';
import type { StaffRole } from '../../shared/staff';
import type { Actor } from '../authz/actor';
import { authorize } from '../authz/authorize';
import { isForeignKeyViolation, isUniqueViolation } from '../db/errors';
import type { Records } from '../records';
import { hashToken } from './authenticate';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from './passwords';
import type { StaffPlacement, StaffRecord } from './StaffStore';

export interface NewStaffInput extends StaffPlacement {
  username: string;
  displayName: string;
  role: StaffRole;
  password: string;
}

export interface LoginResult {
  /** The opaque session token: set as a cookie, or handed to an API client. */
  token: string;
  expiresAt: Date;
  actor: Actor;
}

export class StaffService {
  readonly #records: Records;
  readonly #sessionTtlMs: number;
  readonly #log: Logger;

  constructor(records: Records, options: { sessionTtlSeconds: number; logger: Logger }) {
    this.#records = records;
    this.#sessionTtlMs = options.sessionTtlSeconds * 1000;
    this.#log = options.logger.child({ component: 'staff' });
  }

  async login(username: string, password: string): Promise<LoginResult> {
    const credentials = await this.#records.read.staff.credentials(username);
    const valid = credentials
      ? await verifyPassword(password, credentials.passwordHash)
      : await verifyAgainstDecoy(password);
    if (!credentials || !valid || !credentials.staff.active) {
      await this.#records.read.audit.write({
        actorId: null,
        action: 'session.loginFailed',
        entity: 'session',
        entityId: null,
        details: { username },
      });
      this.#log.info({ username }, 'login(): refused');
      // One message for all three, so the answer does not tell which usernames exist.
      throw new AppError('UNAUTHENTICATED', 'wrong username or password');
    }
    const { staff } = credentials;
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.#sessionTtlMs);
    const actor = await this.#records.transaction(async (s) => {
      await s.sessions.removeExpired(now);
      await s.sessions.create(staff.id, hashToken(token), expiresAt);
      await s.audit.write({
        actorId: staff.id,
        action: 'session.loggedIn',
        entity: 'session',
        entityId: staff.id,
        details: { expiresAt },
      });
      return s.staff.actor(staff.id);
    });
    if (!actor) throw new AppError('UNAUTHENTICATED', 'wrong username or password');
    this.#log.info({ staffId: staff.id, role: staff.role }, 'login(): logged in');
    return { token, expiresAt, actor };
  }

  async logout(actor: Actor, tokenHash: string): Promise<void> {
    await this.#records.transaction(async (s) => {
      await s.sessions.remove(tokenHash);
      await s.audit.write({
        actorId: actor.staffId,
        action: 'session.loggedOut',
        entity: 'session',
        entityId: actor.staffId,
      });
    });
    this.#log.info({ staffId: actor.staffId }, 'logout(): logged out');
  }

  /** Creates an account; `actor` null is the system (the first-admin CLI). */
  async create(actor: Actor | null, input: NewStaffInput): Promise<StaffRecord> {
    if (actor) authorize(actor, 'staff:manage', null);
    const { password, ...rest } = input;
    const passwordHash = await hashPassword(password);
    try {
      return await this.#records.transaction(async (s) => {
        const staff = await s.staff.create({ ...rest, passwordHash });
        const { gridId, committeeId, townshipId, districtId } = rest;
        await s.audit.write({
          actorId: actor?.staffId ?? null,
          action: 'staff.created',
          entity: 'staff',
          entityId: staff.id,
          details: { username: staff.username, role: staff.role, gridId, committeeId, townshipId, districtId },
        });
        this.#log.info(
          { staffId: staff.id, role: staff.role, by: actor?.staffId ?? 'system' },
          'create(): account created',
        );
        return staff;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('CONFLICT', `the username ${input.username} is taken`);
      if (isForeignKeyViolation(error))
        throw new AppError('NOT_FOUND', 'no such grid, committee, township or district');
      throw error;
    }
  }

  /** Replaces the caller's own password; their other sessions end, this one stays. */
  async changePassword(actor: Actor, currentTokenHash: string, current: string, next: string): Promise<void> {
    const credentials = await this.#records.read.staff.credentials(actor.username);
    if (!credentials || !(await verifyPassword(current, credentials.passwordHash))) {
      throw new AppError('FORBIDDEN', 'the current password is wrong');
    }
    const passwordHash = await hashPassword(next);
    await this.#records.transaction(async (s) => {
      await s.staff.setPasswordHash(actor.staffId, passwordHash);
      await s.sessions.removeAllOf(actor.staffId, { except: currentTokenHash });
      await s.audit.write({
        actorId: actor.staffId,
        action: 'staff.passwordChanged',
        entity: 'staff',
        entityId: actor.staffId,
      });
    });
    this.#log.info({ staffId: actor.staffId }, 'changePassword(): changed');
  }

  async list(actor: Actor): Promise<StaffRecord[]> {
    authorize(actor, 'staff:manage', null);
    return this.#records.read.staff.list();
  }

  async setActive(actor: Actor, id: StaffId, active: boolean): Promise<StaffRecord> {
    authorize(actor, 'staff:manage', null);
    return this.#records.transaction(async (s) => {
      const staff = await s.staff.get(id);
      if (!staff) throw new AppError('NOT_FOUND', 'no such staff member');
      if (!active && staff.role === 'admin' && staff.active && (await s.staff.countActiveAdmins()) <= 1) {
        throw new AppError('CONFLICT', 'this is the last active administrator; create another one first');
      }
      await s.staff.setActive(id, active);
      if (!active) await s.sessions.removeAllOf(id);
      await s.audit.write({
        actorId: actor.staffId,
        action: active ? 'staff.activated' : 'staff.deactivated',
        entity: 'staff',
        entityId: id,
      });
      return { ...staff, active };
    });
  }
}
