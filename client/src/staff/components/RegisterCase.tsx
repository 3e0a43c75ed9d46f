/**
 * Registering a dispute (排查登记): its type, grid, what it is about and the
 * parties. The handler is the person registering, as the server defaults it.
 */
import { useState, type FormEvent } from 'react';
import type { DisputeType, PartyRole } from '../../../../shared/cases';
import { registerCase, type NewParty } from '../api/records';
import type { Me } from '../api/types';
import { DISPUTE_TYPES, useStaffI18n } from '../i18n';
import { gridsFor, useOrg } from '../org';
import { navigate } from '../router';
import { ErrorLine, Loading } from './ui';

interface PartyDraft {
  key: number;
  role: PartyRole;
  name: string;
  contact: string;
  idNumber: string;
}

let nextKey = 0;
const blankParty = (role: PartyRole): PartyDraft => ({ key: nextKey++, role, name: '', contact: '', idNumber: '' });

export function RegisterCase({ me }: { me: Me }) {
  const { t, label } = useStaffI18n();
  const org = useOrg();
  const grids = org.data ? gridsFor(org.data, me.post) : [];
  const [disputeType, setDisputeType] = useState<DisputeType | ''>('');
  const [gridId, setGridId] = useState(me.post?.gridId ?? '');
  const [summary, setSummary] = useState('');
  const [parties, setParties] = useState<PartyDraft[]>(() => [blankParty('applicant'), blankParty('respondent')]);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const chosenGrid = gridId || (grids.length === 1 ? grids[0]!.id : '');

  const update = (key: number, patch: Partial<PartyDraft>) =>
    setParties((list) => list.map((p) => (p.key === key ? { ...p, ...patch } : p)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    setError(undefined);
    if (!disputeType || !chosenGrid || !summary.trim() || parties.some((p) => !p.name.trim())) {
      setProblem(t('fillRequired'));
      return;
    }
    if (!parties.some((p) => p.role === 'applicant') || !parties.some((p) => p.role === 'respondent')) {
      setProblem(t('needBothSides'));
      return;
    }
    setBusy(true);
    try {
      const body: NewParty[] = parties.map((p) => ({
        role: p.role,
        name: p.name.trim(),
        contact: p.contact.trim(),
        ...(p.idNumber.trim() ? { idNumber: p.idNumber.trim() } : {}),
      }));
      const { case: created } = await registerCase({ disputeType, gridId: chosenGrid, summary, parties: body });
      navigate({ name: 'case', id: created.id }, { replace: true });
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <section className="page page--form">
      <div className="page__head">
        <h1>{t('registerTitle')}</h1>
      </div>
      <form className="stack" onSubmit={submit} noValidate>
        <label className="field">
          <span className="field__label">{t('disputeType')}</span>
          <select
            className="field__input"
            data-testid="register-type"
            value={disputeType}
            onChange={(e) => setDisputeType(e.target.value as DisputeType)}
          >
            <option value="">{t('chooseType')}</option>
            {(Object.keys(DISPUTE_TYPES) as DisputeType[]).map((d) => (
              <option key={d} value={d}>
                {label(DISPUTE_TYPES[d])}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('grid')}</span>
          {org.loading && !org.data ? (
            <Loading />
          ) : (
            <select
              className="field__input"
              data-testid="register-grid"
              value={chosenGrid}
              onChange={(e) => setGridId(e.target.value)}
            >
              <option value="">{t('chooseGrid')}</option>
              {grids.map((g) => (
                <option key={g.id} value={g.id}>
                  {org.data?.townships.find((tw) => tw.id === g.townshipId)?.name} {g.name}
                </option>
              ))}
            </select>
          )}
        </label>
        <ErrorLine error={org.error} onRetry={org.reload} />
        <label className="field">
          <span className="field__label">{t('summary')}</span>
          <textarea
            className="field__input field__input--area"
            data-testid="register-summary"
            rows={4}
            maxLength={4000}
            value={summary}
            onChange={(e) => setSummary(e.target.value)}
          />
          <span className="field__hint">{t('summaryHint')}</span>
        </label>

        <fieldset className="parties">
          <legend className="field__label">{t('parties')}</legend>
          {parties.map((p, index) => (
            <div className="party-form" key={p.key} data-testid="party-form">
              <div className="segmented" role="radiogroup" aria-label={t('partyRole')}>
                {(['applicant', 'respondent'] as const).map((role) => (
                  <label key={role} className={`segmented__option${p.role === role ? ' is-on' : ''}`}>
                    <input
                      type="radio"
                      name={`role-${p.key}`}
                      value={role}
                      checked={p.role === role}
                      data-testid={`party-role-${role}`}
                      onChange={() => update(p.key, { role })}
                    />
                    {t(`role_${role}`)}
                  </label>
                ))}
              </div>
              <div className="grid2">
                <label className="field">
                  <span className="field__label">{t('partyName')}</span>
                  <input
                    className="field__input"
                    data-testid="party-name"
                    maxLength={100}
                    value={p.name}
                    onChange={(e) => update(p.key, { name: e.target.value })}
                  />
                </label>
                <label className="field">
                  <span className="field__label">{t('partyContact')}</span>
                  <input
                    className="field__input"
                    data-testid="party-contact"
                    type="tel"
                    inputMode="tel"
                    maxLength={100}
                    value={p.contact}
                    onChange={(e) => update(p.key, { contact: e.target.value })}
                  />
                </label>
              </div>
              <label className="field">
                <span className="field__label">{t('partyIdNumber')}</span>
                <input
                  className="field__input"
                  data-testid="party-id-number"
                  maxLength={18}
                  autoComplete="off"
                  value={p.idNumber}
                  onChange={(e) => update(p.key, { idNumber: e.target.value })}
                />
              </label>
              {parties.length > 2 && (
                <button
                  type="button"
                  className="button button--quiet"
                  onClick={() => setParties((list) => list.filter((q) => q.key !== p.key))}
                >
                  {t('removeParty')} {index + 1}
                </button>
              )}
            </div>
          ))}
          {parties.length < 20 && (
            <button
              type="button"
              className="button button--secondary"
              data-testid="add-party"
              onClick={() => setParties((list) => [...list, blankParty('respondent')])}
            >
              + {t('addParty')}
            </button>
          )}
        </fieldset>

        <p className="hint">{t('handlerIsMe', { name: me.displayName })}</p>
        {problem && (
          <p className="field__error" role="alert">
            {problem}
          </p>
        )}
        <ErrorLine error={error} />
        <div className="actions">
          <button
            type="submit"
            className="button button--primary button--big"
            data-testid="register-submit"
            disabled={busy}
          >
            {busy ? t('registering') : t('submitRegister')}
          </button>
          <button type="button" className="button button--quiet" onClick={() => navigate({ name: 'cases' })}>
            {t('cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
