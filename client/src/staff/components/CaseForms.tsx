/** Escalation up the ladder, the follow-up visit after an agreement, and the record of both. */
import { useState, type FormEvent } from 'react';
import type { FollowUpMethod, Performance } from '../../../../shared/cases';
import { escalate, recordFollowUp } from '../api/records';
import type { CaseView } from '../api/types';
import { LEVELS, useStaffI18n } from '../i18n';
import { canEscalateFrom, followUpOpen, levelAbove } from '../lifecycle';
import { useOrg } from '../org';
import { Card } from './CaseDetail';
import { ErrorLine } from './ui';

export function EscalateForm({ c, onChanged }: { c: CaseView; onChanged: (c: CaseView) => void }) {
  const { t, label } = useStaffI18n();
  const org = useOrg();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [committeeId, setCommitteeId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const to = levelAbove(c.level);
  if (!canEscalateFrom(c.status)) return null;
  if (!to) {
    return (
      <Card title={t('escalateTitle')}>
        <p className="hint">{t('escalateTop')}</p>
      </Card>
    );
  }
  const committees = (org.data?.committees ?? []).filter((k) =>
    to === 'township'
      ? k.level === 'township' && k.townshipId === c.townshipId
      : k.level === 'district' && k.districtId === c.districtId,
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      const chosen = committees.length > 1 ? committeeId || undefined : undefined;
      onChanged((await escalate(c.id, reason.trim(), chosen)).case);
      setReason('');
      setOpen(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('escalateTitle')}>
      {!open ? (
        <button
          type="button"
          className="button button--secondary"
          data-testid="escalate-open"
          onClick={() => setOpen(true)}
        >
          {t('escalateTo', { level: label(LEVELS[to]) })}
        </button>
      ) : (
        <form className="stack" onSubmit={submit}>
          <p className="hint">{t('escalateTo', { level: label(LEVELS[to]) })}</p>
          {committees.length > 1 && (
            <label className="field">
              <span className="field__label">{t('escalateCommittee')}</span>
              <select
                className="field__input"
                required
                value={committeeId}
                onChange={(e) => setCommitteeId(e.target.value)}
              >
                <option value="" />
                {committees.map((k) => (
                  <option key={k.id} value={k.id}>
                    {k.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label className="field">
            <span className="field__label">{t('escalateReason')}</span>
            <textarea
              className="field__input field__input--area"
              data-testid="escalate-reason"
              rows={3}
              required
              maxLength={2000}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
            <span className="field__hint">{t('escalateReasonHint')}</span>
          </label>
          <ErrorLine error={error} />
          <div className="actions">
            <button
              type="submit"
              className="button button--primary"
              data-testid="escalate-submit"
              disabled={busy || !reason.trim()}
            >
              {t('escalateSubmit')}
            </button>
            <button type="button" className="button button--quiet" onClick={() => setOpen(false)}>
              {t('cancel')}
            </button>
          </div>
        </form>
      )}
    </Card>
  );
}

/** "Now" as a datetime-local input wants it: local time, to the minute. */
export function localNow(offsetMinutes = 0): string {
  const d = new Date(Date.now() + offsetMinutes * 60_000);
  d.setSeconds(0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function FollowUpForm({ c, onChanged }: { c: CaseView; onChanged: (c: CaseView) => void }) {
  const { t } = useStaffI18n();
  const [visitedAt, setVisitedAt] = useState(() => localNow());
  const [method, setMethod] = useState<FollowUpMethod>('visit');
  const [performance, setPerformance] = useState<Performance>('performed');
  const [notes, setNotes] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  if (!followUpOpen(c.status)) return null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const when = new Date(visitedAt);
    if (Number.isNaN(when.getTime())) return;
    setBusy(true);
    setError(undefined);
    try {
      onChanged((await recordFollowUp(c.id, { visitedAt: when.toISOString(), method, performance, notes })).case);
      setNotes('');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('followUpTitle')} testId="follow-up">
      <form className="stack" onSubmit={submit}>
        <label className="field">
          <span className="field__label">{t('visitedAt')}</span>
          <input
            className="field__input"
            type="datetime-local"
            required
            value={visitedAt}
            onChange={(e) => setVisitedAt(e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">{t('method')}</span>
          <select className="field__input" value={method} onChange={(e) => setMethod(e.target.value as FollowUpMethod)}>
            {(['visit', 'phone', 'video'] as const).map((m) => (
              <option key={m} value={m}>
                {t(`method_${m}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('performance')}</span>
          <select
            className="field__input"
            value={performance}
            onChange={(e) => setPerformance(e.target.value as Performance)}
          >
            {(['performed', 'partly_performed', 'not_performed'] as const).map((p) => (
              <option key={p} value={p}>
                {t(`performance_${p}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('notes')}</span>
          <textarea
            className="field__input field__input--area"
            rows={3}
            maxLength={4000}
            value={notes}
            onChange={(e) => setNotes(e.target.value)}
          />
        </label>
        <ErrorLine error={error} />
        <button type="submit" className="button button--primary" data-testid="follow-up-submit" disabled={busy}>
          {t('followUpSubmit')}
        </button>
      </form>
    </Card>
  );
}

/** Transfers up the ladder and follow-up visits, oldest first, as the server keeps them. */
export function History({ c }: { c: CaseView }) {
  const { t, label, dateTime } = useStaffI18n();
  if (c.escalations.length === 0 && c.followUps.length === 0) return null;
  return (
    <>
      {c.escalations.length > 0 && (
        <Card title={t('escalations')}>
          <ul className="timeline">
            {c.escalations.map((e) => (
              <li key={e.id}>
                <span className="timeline__when">{dateTime(e.transferredAt)}</span>
                {label(LEVELS[e.fromLevel])} → {e.toCommitteeName} · {e.transferredByName}
                <div className="timeline__text">{e.reason}</div>
              </li>
            ))}
          </ul>
        </Card>
      )}
      {c.followUps.length > 0 && (
        <Card title={t('followUps')}>
          <ul className="timeline">
            {c.followUps.map((f) => (
              <li key={f.id}>
                <span className="timeline__when">{dateTime(f.visitedAt)}</span>
                {t(`method_${f.method}`)} · {t(`performance_${f.performance}`)} · {f.recordedByName}
                {f.notes && <div className="timeline__text">{f.notes}</div>}
              </li>
            ))}
          </ul>
        </Card>
      )}
    </>
  );
}
