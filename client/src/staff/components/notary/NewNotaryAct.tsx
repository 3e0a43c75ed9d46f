/**
 * Scheduling a notarial act (POST /api/notary/acts): the kind of act, the
 * document, where it is performed, the fee, the room it happens in and the
 * signers with the address the journal will carry. The notary scheduling it
 * is the one who performs it, as the server decides.
 */
import { useState, type FormEvent } from 'react';
import { ACT_TYPES, type ActType } from '../../../../../shared/notary';
import { scheduleAct } from '../../api/notary';
import { useStaffI18n } from '../../i18n';
import { navigate } from '../../router';
import { ErrorLine } from '../ui';

interface SignerDraft {
  key: number;
  name: string;
  address: string;
}

let nextKey = 0;
const blankSigner = (): SignerDraft => ({ key: nextKey++, name: '', address: '' });

export function NewNotaryAct() {
  const { t, label } = useStaffI18n();
  const [actType, setActType] = useState<ActType>('acknowledgment');
  const [description, setDescription] = useState('');
  const [jurisdiction, setJurisdiction] = useState('CN-ZJ');
  const [fee, setFee] = useState('0');
  const [sessionId, setSessionId] = useState('');
  const [signers, setSigners] = useState<SignerDraft[]>(() => [blankSigner()]);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const update = (key: number, patch: Partial<SignerDraft>) =>
    setSigners((list) => list.map((s) => (s.key === key ? { ...s, ...patch } : s)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    setError(undefined);
    // The fee is typed in yuan; the server keeps minor units so no float enters the journal's hash.
    const feeMinor = Math.round(Number(fee) * 100);
    if (!description.trim() || signers.some((s) => !s.name.trim() || !s.address.trim())) {
      setProblem(t('fillRequired'));
      return;
    }
    if (!Number.isFinite(feeMinor) || feeMinor < 0) {
      setProblem(t('notaryFeeInvalid'));
      return;
    }
    setBusy(true);
    try {
      const { act } = await scheduleAct({
        sessionId: sessionId.trim() || null,
        actType,
        documentDescription: description.trim(),
        jurisdiction: jurisdiction.trim().toUpperCase(),
        feeMinor,
        currency: 'CNY',
        signers: signers.map((s) => ({ name: s.name.trim(), address: s.address.trim() })),
      });
      navigate({ name: 'notaryAct', id: act.id }, { replace: true });
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <section className="page page--form" data-testid="notary-new-form">
      <div className="page__head">
        <h1>{t('notaryNewAct')}</h1>
      </div>
      <form className="stack" onSubmit={submit} noValidate>
        <label className="field">
          <span className="field__label">{t('notaryColType')}</span>
          <select
            className="field__input"
            data-testid="notary-act-type"
            value={actType}
            onChange={(e) => setActType(e.target.value as ActType)}
          >
            {(Object.keys(ACT_TYPES) as ActType[]).map((type) => (
              <option key={type} value={type}>
                {label(ACT_TYPES[type])}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('notaryColDocument')}</span>
          <input
            className="field__input"
            data-testid="notary-description"
            maxLength={500}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </label>
        <div className="grid2">
          <label className="field">
            <span className="field__label">{t('notaryJurisdiction')}</span>
            <input
              className="field__input"
              data-testid="notary-jurisdiction"
              maxLength={20}
              value={jurisdiction}
              onChange={(e) => setJurisdiction(e.target.value)}
            />
          </label>
          <label className="field">
            <span className="field__label">{t('notaryFee')}</span>
            <input
              className="field__input"
              data-testid="notary-fee"
              inputMode="decimal"
              value={fee}
              onChange={(e) => setFee(e.target.value)}
            />
          </label>
        </div>
        <label className="field">
          <span className="field__label">{t('notaryRoom')}</span>
          <input
            className="field__input"
            data-testid="notary-session"
            maxLength={64}
            value={sessionId}
            onChange={(e) => setSessionId(e.target.value)}
          />
          <span className="field__hint">{t('notaryRoomHint')}</span>
        </label>
        <fieldset className="parties">
          <legend className="field__label">{t('notarySigners')}</legend>
          {signers.map((s) => (
            <div className="party-form grid2" key={s.key} data-testid="notary-signer-form">
              <label className="field">
                <span className="field__label">{t('partyName')}</span>
                <input
                  className="field__input"
                  data-testid="notary-signer-name"
                  maxLength={100}
                  value={s.name}
                  onChange={(e) => update(s.key, { name: e.target.value })}
                />
              </label>
              <label className="field">
                <span className="field__label">{t('notaryAddress')}</span>
                <input
                  className="field__input"
                  data-testid="notary-signer-address"
                  maxLength={300}
                  value={s.address}
                  onChange={(e) => update(s.key, { address: e.target.value })}
                />
              </label>
            </div>
          ))}
          {signers.length < 10 && (
            <button
              type="button"
              className="button button--secondary"
              onClick={() => setSigners((list) => [...list, blankSigner()])}
            >
              + {t('notaryAddSigner')}
            </button>
          )}
        </fieldset>
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
            data-testid="notary-schedule-submit"
            disabled={busy}
          >
            {t('notarySchedule')}
          </button>
          <button type="button" className="button button--quiet" onClick={() => navigate({ name: 'notary' })}>
            {t('cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
