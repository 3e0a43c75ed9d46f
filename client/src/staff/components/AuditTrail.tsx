/** Who did what to the case, newest last, as the audit log keeps it. */
import { caseAudit } from '../api/records';
import type { AuditEntry } from '../api/types';
import { CASE_STATUSES, LEVELS, useStaffI18n, type StaffI18n } from '../i18n';
import { Card } from './CaseDetail';
import { ErrorLine, Loading, useLoad } from './ui';

export function AuditTrail({ caseId, reloadKey }: { caseId: string; reloadKey: number }) {
  const i18n = useStaffI18n();
  const { t, dateTime } = i18n;
  const audit = useLoad(() => caseAudit(caseId).then((r) => r.audit), `${caseId}:${reloadKey}`);
  return (
    <Card title={t('auditTitle')} testId="audit">
      <ErrorLine error={audit.error} onRetry={audit.reload} />
      {audit.loading && !audit.data && <Loading />}
      {audit.data?.length === 0 && <p className="hint">{t('noAudit')}</p>}
      {audit.data && audit.data.length > 0 && (
        <ul className="timeline" data-testid="audit-list">
          {audit.data.map((entry) => (
            <li key={entry.id}>
              <span className="timeline__when">{dateTime(entry.at)}</span>
              {describe(entry, i18n)}
              {entry.actorUsername && <span className="timeline__who"> · {entry.actorUsername}</span>}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

/** A line per known action; anything newer is shown by its name. */
function describe(entry: AuditEntry, { lang, label }: StaffI18n): string {
  const d = entry.details ?? {};
  const zh = lang !== 'en';
  const status = (value: unknown) =>
    typeof value === 'string' && value in CASE_STATUSES
      ? label(CASE_STATUSES[value as keyof typeof CASE_STATUSES])
      : String(value);
  const level = (value: unknown) =>
    typeof value === 'string' && value in LEVELS ? label(LEVELS[value as keyof typeof LEVELS]) : String(value);
  switch (entry.action) {
    case 'case.registered':
      return zh ? '登记案件' : 'Registered the case';
    case 'case.statusChanged':
      return `${zh ? '状态' : 'Status'}: ${status(d.from)} → ${status(d.to)}${d.note ? ` (${String(d.note)})` : ''}`;
    case 'case.escalated':
      return `${zh ? '上报' : 'Escalated'}: ${level(d.fromLevel)} → ${level(d.toLevel)}`;
    case 'case.assigned':
      return zh ? '更换承办人' : 'Changed the handler';
    case 'case.followedUp':
      return zh ? '记录回访' : 'Recorded a follow-up visit';
    case 'case.recordingChanged':
      return d.to ? (zh ? '开启会议录制' : 'Turned recording on') : zh ? '关闭会议录制' : 'Turned recording off';
    case 'session.scheduled':
      return zh ? '安排视频会议' : 'Scheduled a session';
    case 'session.linkIssued':
      return zh ? '生成会议链接' : 'Issued a link';
    case 'session.linkRevoked':
      return zh ? '收回会议链接' : 'Revoked a link';
    case 'session.recordingConsented':
      return zh ? '同意录制' : 'Consented to recording';
    default:
      return entry.action;
  }
}
