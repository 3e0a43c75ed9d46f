/**
 * Every store of the durable records, bound either to the database (reads) or
 * to one transaction (changes and their audit rows, committed together).
 */
import { SqlAuditLog, type AuditLog } from './audit/AuditLog';
import { SqlCaseStore, type CaseStore } from './cases/CaseStore';
import type { Db, Queryable } from './db/Db';
import { SqlOrgStore, type OrgStore } from './org/OrgStore';
import { SqlReportQueries, type ReportQueries } from './reports/ReportQueries';
import { SqlSessionStore, SqlStaffStore, type SessionStore, type StaffStore } from './staff/StaffStore';

export interface Stores {
  org: OrgStore;
  staff: StaffStore;
  sessions: SessionStore;
  cases: CaseStore;
  audit: AuditLog;
  reports: ReportQueries;
}

function storesOn(q: Queryable): Stores {
  return {
    org: new SqlOrgStore(q),
    staff: new SqlStaffStore(q),
    sessions: new SqlSessionStore(q),
    cases: new SqlCaseStore(q),
    audit: new SqlAuditLog(q),
    reports: new SqlReportQueries(q),
  };
}

export class Records {
  /** Stores on the database itself: each statement on its own. */
  readonly read: Stores;

  constructor(readonly db: Db) {
    this.read = storesOn(db);
  }

  /** Runs `fn` with stores bound to one transaction. */
  transaction<T>(fn: (stores: Stores) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(storesOn(tx)));
  }
}
