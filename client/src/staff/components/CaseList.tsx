/** The cases the person may read, newest first, filtered by status and dispute type. */
import { useState } from 'react';
import type { CaseStatus, DisputeType } from '../../../../shared/cases';
import { listCases } from '../api/records';
import type { Me } from '../api/types';
import { CASE_STATUSES, DISPUTE_TYPES, LEVELS, useStaffI18n } from '../i18n';
import { navigate } from '../router';
import { ErrorLine, Loading, RouteLink, useLoad } from './ui';

export function CaseList({ me }: { me: Me }) {
  const { t, label, dateTime } = useStaffI18n();
  const [status, setStatus] = useState<CaseStatus | ''>('');
  const [disputeType, setDisputeType] = useState<DisputeType | ''>('');
  const filter = { status: status || undefined, disputeType: disputeType || undefined };
  const cases = useLoad(() => listCases(filter), JSON.stringify(filter));
  const mayRegister = me.role === 'mediator';

  return (
    <section className="page">
      <div className="page__head">
        <h1>{t('casesTitle')}</h1>
        {mayRegister && (
          <button
            type="button"
            className="button button--primary"
            data-testid="register-case"
            onClick={() => navigate({ name: 'register' })}
          >
            + {t('registerCase')}
          </button>
        )}
      </div>
      <div className="filters">
        <label className="field">
          <span className="field__label">{t('filterStatus')}</span>
          <select
            className="field__input"
            data-testid="filter-status"
            value={status}
            onChange={(e) => setStatus(e.target.value as CaseStatus | '')}
          >
            <option value="">{t('all')}</option>
            {(Object.keys(CASE_STATUSES) as CaseStatus[]).map((s) => (
              <option key={s} value={s}>
                {label(CASE_STATUSES[s])}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('filterType')}</span>
          <select
            className="field__input"
            data-testid="filter-type"
            value={disputeType}
            onChange={(e) => setDisputeType(e.target.value as DisputeType | '')}
          >
            <option value="">{t('all')}</option>
            {(Object.keys(DISPUTE_TYPES) as DisputeType[]).map((d) => (
              <option key={d} value={d}>
                {label(DISPUTE_TYPES[d])}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorLine error={cases.error} onRetry={cases.reload} />
      {cases.loading && !cases.data && <Loading />}
      {cases.data && cases.data.cases.length === 0 && <p className="empty">{t('noCases')}</p>}
      {cases.data && cases.data.cases.length > 0 && (
        <table className="cases" data-testid="case-table">
          <thead>
            <tr>
              <th>{t('colCaseNo')}</th>
              <th>{t('colType')}</th>
              <th>{t('colGrid')}</th>
              <th>{t('colLevel')}</th>
              <th>{t('colStatus')}</th>
              <th>{t('colHandler')}</th>
              <th>{t('colRegistered')}</th>
            </tr>
          </thead>
          <tbody>
            {cases.data.cases.map((c) => (
              <tr
                key={c.id}
                className="cases__row"
                data-testid="case-row"
                data-case-id={c.id}
                onClick={(e) => {
                  if ((e.target as HTMLElement).closest('a')) return;
                  navigate({ name: 'case', id: c.id });
                }}
              >
                <td className="cases__no">
                  <RouteLink to={{ name: 'case', id: c.id }}>{c.caseNo}</RouteLink>
                </td>
                <td data-label={t('colType')}>{label(DISPUTE_TYPES[c.disputeType])}</td>
                <td data-label={t('colGrid')}>
                  {c.townshipName} {c.gridName}
                </td>
                <td data-label={t('colLevel')}>{label(LEVELS[c.level])}</td>
                <td data-label={t('colStatus')}>
                  <span className={`status status--${c.status}`}>{label(CASE_STATUSES[c.status])}</span>
                </td>
                <td data-label={t('colHandler')}>{c.handlerName ?? t('unassigned')}</td>
                <td data-label={t('colRegistered')}>{dateTime(c.registeredAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
