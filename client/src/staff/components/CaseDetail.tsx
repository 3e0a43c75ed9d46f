/**
 * One case: its facts and parties, where it stands and the next steps the
 * caller may take (from the `permissions` the server sends), escalation,
 * follow-up visits, recording, the video sessions and the audit trail.
 */
import { useState, type ReactNode } from 'react';
import type { CaseStatus } from '../../../../shared/cases';
import { changeStatus, getCase } from '../api/records';
import type { CaseView, Me } from '../api/types';
import { CASE_STATUSES, DISPUTE_TYPES, LEVELS, useStaffI18n, type StaffTextKey } from '../i18n';
import { nextStatuses } from '../lifecycle';
import { AuditTrail } from './AuditTrail';
import { EscalateForm, FollowUpForm, History } from './CaseForms';
import { ExpertRequestCard } from './ExpertRequestCard';
import { AgreementCard } from './AgreementCard';
import { RecordingSwitch } from './RecordingSwitch';
import { Sessions } from './Sessions';
import { ErrorLine, Loading, RouteLink, useLoad } from './ui';

export function CaseDetail({ caseId, me }: { caseId: string; me: Me }) {
  const { t, label, dateTime } = useStaffI18n();
  const loaded = useLoad(() => getCase(caseId).then((r) => r.case), caseId);
  // Every change returns the case as it now is; the audit trail reloads after it.
  const [auditKey, setAuditKey] = useState(0);
  const changed = (next: CaseView) => {
    loaded.setData(next);
    setAuditKey((k) => k + 1);
  };

  if (!loaded.data) {
    return (
      <section className="page">
        <RouteLink to={{ name: 'cases' }} className="back">
          ← {t('back')}
        </RouteLink>
        {loaded.loading ? <Loading /> : <ErrorLine error={loaded.error} onRetry={loaded.reload} />}
      </section>
    );
  }
  const c = loaded.data;
  return (
    <section className="page case" data-testid="case-detail" data-case-id={c.id} data-status={c.status}>
      <RouteLink to={{ name: 'cases' }} className="back">
        ← {t('back')}
      </RouteLink>
      <div className="page__head">
        <h1>
          <span data-testid="case-no">{c.caseNo}</span>{' '}
          <span className={`status status--${c.status}`} data-testid="case-status">
            {label(CASE_STATUSES[c.status])}
          </span>
        </h1>
      </div>
      <ErrorLine error={loaded.error} onRetry={loaded.reload} />

      <div className="case__columns">
        <div className="case__main">
          <Card title={t('facts')}>
            <dl className="facts">
              <dt>{t('disputeType')}</dt>
              <dd>{label(DISPUTE_TYPES[c.disputeType])}</dd>
              <dt>{t('grid')}</dt>
              <dd>
                {c.districtName} {c.townshipName} {c.gridName}
              </dd>
              <dt>{t('colLevel')}</dt>
              <dd>
                {label(LEVELS[c.level])}
                {c.committeeName ? ` · ${c.committeeName}` : ''}
              </dd>
              <dt>{t('handler')}</dt>
              <dd>{c.handlerName ?? t('unassigned')}</dd>
              <dt>{t('registeredAt')}</dt>
              <dd>{dateTime(c.registeredAt)}</dd>
            </dl>
            <p className="case__summary">{c.summary}</p>
          </Card>

          <Card title={t('parties')}>
            <ul className="party-list" data-testid="party-list">
              {c.parties.map((p) => (
                <li key={p.id} className="party-list__item" data-testid="party">
                  <strong>{p.name}</strong> <span className="tag">{t(`role_${p.role}`)}</span>
                  <div className="party-list__meta">
                    {p.contact && (
                      <span>
                        {t('contact')}: <a href={`tel:${p.contact}`}>{p.contact}</a>
                      </span>
                    )}
                    {p.idNumber && (
                      <span data-testid="party-id-number">
                        {t('idNumber')}: <span className="mono">{p.idNumber}</span>
                        {p.idNumberMasked ? ` ${t('masked')}` : ''}
                      </span>
                    )}
                  </div>
                </li>
              ))}
            </ul>
          </Card>

          <Sessions c={c} me={me} onActivity={() => setAuditKey((k) => k + 1)} />
        </div>

        <div className="case__side">
          <Card title={t('statusTitle')}>
            <StatusSteps c={c} onChanged={changed} />
          </Card>
          {c.permissions['case:escalate'] && <EscalateForm c={c} onChanged={changed} />}
          {c.permissions['case:followUp'] && <FollowUpForm c={c} onChanged={changed} />}
          {c.permissions['case:mediate'] && <ExpertRequestCard c={c} />}
          <RecordingSwitch c={c} onChanged={changed} />
          <AgreementCard c={c} />
          <History c={c} />
          <AuditTrail caseId={c.id} reloadKey={auditKey} />
        </div>
      </div>
    </section>
  );
}

export function Card({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="card" data-testid={testId}>
      <h2 className="card__title">{title}</h2>
      {children}
    </section>
  );
}

function StatusSteps({ c, onChanged }: { c: CaseView; onChanged: (c: CaseView) => void }) {
  const { t, label } = useStaffI18n();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const steps = c.permissions['case:mediate'] ? nextStatuses(c.status) : [];

  const go = async (to: CaseStatus) => {
    if (!window.confirm(t('confirmStatus', { status: label(CASE_STATUSES[to]) }))) return;
    setBusy(true);
    setError(undefined);
    try {
      onChanged((await changeStatus(c.id, to, note.trim() || undefined)).case);
      setNote('');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="stack">
      <ol className="ladder" aria-label={t('statusTitle')}>
        {(['registered', 'mediating', c.outcome ?? 'agreed', 'followed_up', 'closed'] as CaseStatus[]).map((s) => (
          <li key={s} className={s === c.status ? 'is-current' : undefined}>
            {label(CASE_STATUSES[s])}
          </li>
        ))}
      </ol>
      {steps.length === 0 ? (
        <p className="hint">{t('noNextSteps')}</p>
      ) : (
        <>
          <label className="field">
            <span className="field__label">{t('statusNote')}</span>
            <input className="field__input" value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
          </label>
          <div className="actions">
            {steps.map((to) => (
              <button
                key={to}
                type="button"
                className={`button ${to === 'withdrawn' || to === 'failed' ? 'button--secondary' : 'button--primary'}`}
                data-testid={`status-${to}`}
                disabled={busy}
                onClick={() => void go(to)}
              >
                {t(`to_${to}` as StaffTextKey)}
              </button>
            ))}
          </div>
        </>
      )}
      <ErrorLine error={error} />
    </div>
  );
}
