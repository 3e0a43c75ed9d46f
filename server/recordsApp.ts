/**
 * The durable-records half of the server, composed: the database (opened here
 * unless the caller brings one), migrations, the services and their HTTP
 * routes. app.ts mounts `router` and calls `close()` on shutdown.
 */
import { Router } from 'express';
import type { Logger } from 'pino';
import { CaseService } from './cases/CaseService';
import { caseRoutes } from './cases/routes';
import type { Config } from './config';
import { resolveDataKey } from './crypto/dataKey';
import { SealedBox } from './crypto/sealedBox';
import type { Db } from './db/Db';
import { migrate } from './db/migrate';
import { openDatabase } from './db/openDatabase';
import { orgRoutes } from './org/routes';
import { Records } from './records';
import { reportRoutes } from './reports/routes';
import { authenticateStaff } from './staff/authenticate';
import { loginPageRoutes } from './staff/loginPage';
import { staffRoutes } from './staff/routes';
import { StaffService } from './staff/StaffService';

export interface RecordsApp {
  db: Db;
  records: Records;
  cases: CaseService;
  staff: StaffService;
  /** The key of protected fields (DATA_KEY, or the one kept in DATA_DIR), resolved once. */
  dataKey: Buffer;
  /** /api/staff, /api/org, /api/cases, /api/reports and /staff/login (and the login check of /api/sessions). */
  router: Router;
  /** Closes the database if it was opened here. Idempotent. */
  close(): Promise<void>;
}

export async function startRecords(config: Config, deps: { db?: Db | undefined; logger: Logger }): Promise<RecordsApp> {
  const { logger } = deps;
  const db = deps.db ?? (await openDatabase(config.database, logger));
  try {
    if (deps.db) await migrate(db, logger); // a no-op when the caller already migrated
    const dataKey = resolveDataKey(config, logger);
    const box = new SealedBox(dataKey);
    const records = new Records(db);
    const cases = new CaseService(records, box, logger);
    const staff = new StaffService(records, { sessionTtlSeconds: config.sessionTtlSeconds, logger });

    const router = Router();
    // Only the record routes look sessions up: static files and join links never pay for it.
    router.use(['/api/staff', '/api/org', '/api/cases', '/api/sessions', '/api/reports'], authenticateStaff(records));
    router.use('/api/staff', staffRoutes(staff));
    router.use('/api/org', orgRoutes(records));
    router.use('/api/cases', caseRoutes(cases));
    router.use('/api/reports', reportRoutes(records));
    router.use('/staff', loginPageRoutes(staff));

    let closed: Promise<void> | undefined;
    const close = () => (closed ??= deps.db ? Promise.resolve() : db.close());
    logger.info({ db: db.kind }, 'startRecords(): ready');
    return { db, records, cases, staff, dataKey, router, close };
  } catch (error) {
    if (!deps.db) await db.close();
    throw error;
  }
}
