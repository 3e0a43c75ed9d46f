/**
 * How each signer's identity was established (POST /acts/:id/identity), one
 * record per signer as the server requires: the method, the ID document's
 * kind for a comparison (never its number), the witness for a credible
 * witness. The stills taken are attached; a comparison needs front and face.
 */
import { useState, type FormEvent } from 'react';
import { IDENTITY_METHODS, type IdentityMethod } from '../../../../../shared/notary';
import { recordIdentity, type ActView, type StillSide } from '../../api/notary';
import { useStaffI18n } from '../../i18n';
import { ErrorLine } from '../ui';
import { latestStills } from './IdentityStills';

interface Draft {
  method: IdentityMethod;
  idDocument: string;
  witnessName: string;
}

const blank: Draft = { method: 'id_comparison', idDocument: '', witnessName: '' };

export function IdentityForm({
  view,
  run,
}: {
  view: ActView;
  run: (request: () => Promise<ActView>) => Promise<void>;
}) {
  const { t, label } = useStaffI18n();
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const latest = latestStills(view);
  const images: Partial<Record<StillSide, string>> = {};
  for (const [side, still] of Object.entries(latest)) images[side as StillSide] = still.sha256;
  const draftOf = (signerId: string) => drafts[signerId] ?? blank;
  const update = (signerId: string, patch: Partial<Draft>) =>
    setDrafts((all) => ({ ...all, [signerId]: { ...(all[signerId] ?? blank), ...patch } }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    setError(undefined);
    const records = view.signers.map((s) => {
      const d = draftOf(s.id);
      return {
        signerId: s.id,
        method: d.method,
        idDocument: d.method === 'id_comparison' ? d.idDocument.trim() || null : null,
        witnessName: d.method === 'credible_witness' ? d.witnessName.trim() || null : null,
        images,
      };
    });
    // Said here, before the request, so the notary knows what is missing in words rather than a field path.
    if (records.some((r) => r.method === 'id_comparison' && (!r.idDocument || !images.front || !images.face))) {
      setProblem(t('notaryNeedComparison'));
      return;
    }
    if (records.some((r) => r.method === 'credible_witness' && !r.witnessName)) {
      setProblem(t('notaryNeedWitness'));
      return;
    }
    setBusy(true);
    try {
      await run(() => recordIdentity(view.act.id, records));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit} noValidate data-testid="identity-form">
      {view.signers.map((s) => {
        const d = draftOf(s.id);
        return (
          <fieldset key={s.id} className="party-form" data-testid="identity-signer" data-signer-id={s.id}>
            <legend className="field__label">{s.name}</legend>
            <div className="segmented segmented--wrap" role="radiogroup" aria-label={t('notaryMethod')}>
              {(Object.keys(IDENTITY_METHODS) as IdentityMethod[]).map((method) => (
                <label key={method} className={`segmented__option${d.method === method ? ' is-on' : ''}`}>
                  <input
                    type="radio"
                    name={`method-${s.id}`}
                    value={method}
                    checked={d.method === method}
                    data-testid={`method-${method}`}
                    onChange={() => update(s.id, { method })}
                  />
                  {label(IDENTITY_METHODS[method])}
                </label>
              ))}
            </div>
            {d.method === 'id_comparison' && (
              <label className="field">
                <span className="field__label">{t('notaryIdDocument')}</span>
                <input
                  className="field__input"
                  data-testid="identity-id-document"
                  maxLength={120}
                  placeholder={t('notaryIdDocumentHint')}
                  value={d.idDocument}
                  onChange={(e) => update(s.id, { idDocument: e.target.value })}
                />
              </label>
            )}
            {d.method === 'credible_witness' && (
              <label className="field">
                <span className="field__label">{t('notaryWitness')}</span>
                <input
                  className="field__input"
                  data-testid="identity-witness"
                  maxLength={100}
                  value={d.witnessName}
                  onChange={(e) => update(s.id, { witnessName: e.target.value })}
                />
              </label>
            )}
          </fieldset>
        );
      })}
      {problem && (
        <p className="field__error" role="alert" data-testid="identity-problem">
          {problem}
        </p>
      )}
      <ErrorLine error={error} />
      <button
        type="submit"
        className="button button--primary button--big"
        data-testid="identity-submit"
        disabled={busy}
      >
        {t('notaryRecordIdentity')}
      </button>
    </form>
  );
}
