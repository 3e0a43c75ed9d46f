/**
 * The act's steps in order, with where it stands, and the one next move the
 * state allows as a big button. Identity has no button here: it is recorded
 * with its evidence in the identity section, so the step points there.
 * Interruption and abort are shown as what they are, not as a step.
 */
import { useState } from 'react';
import type { ActState } from '../../../../../shared/notary';
import { sendEvent, type ActEventType, type ActView } from '../../api/notary';
import { useStaffI18n, type StaffTextKey } from '../../i18n';
import { ErrorLine } from '../ui';
import { STATE_TEXT } from './ActStateTag';

const STEPS: readonly ActState[] = ['scheduled', 'identity', 'recital_consent', 'signing', 'sealed'];

/** The forward move of each state, as the button says it. */
function nextMove(view: ActView): { event: ActEventType; text: StaffTextKey } | null {
  const { state, documentSigned } = view.act;
  if (state === 'scheduled') return { event: 'start', text: 'notaryDo_start' };
  if (state === 'recital_consent') return { event: 'consentGiven', text: 'notaryDo_consentGiven' };
  if (state === 'signing' && !documentSigned) return { event: 'documentSigned', text: 'notaryDo_documentSigned' };
  if (state === 'signing') return { event: 'seal', text: 'notaryDo_seal' };
  if (state === 'interrupted') return { event: 'resume', text: 'notaryDo_resume' };
  return null;
}

export function ActSteps({ view, run }: { view: ActView; run: (request: () => Promise<ActView>) => Promise<void> }) {
  const { t } = useStaffI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [ending, setEnding] = useState(false);
  const [reason, setReason] = useState('');
  const { act } = view;
  // Where an interrupted or aborted act stood is not stored; the steps before identity count as done.
  const at = STEPS.indexOf(act.state);
  const move = nextMove(view);
  const canAbort = view.accepts.includes('abort');

  const send = async (event: ActEventType, why?: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await run(() => sendEvent(act.id, event, why));
      setEnding(false);
      setReason('');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card act-steps" data-testid="act-steps" data-state={act.state}>
      <ol className="act-steps__list">
        {STEPS.map((step, i) => {
          const status = at < 0 ? (i === 0 ? 'done' : 'todo') : i < at ? 'done' : i === at ? 'current' : 'todo';
          return (
            <li
              key={step}
              className={`act-step act-step--${step === 'sealed' && status === 'current' ? 'done' : status}`}
              data-testid="act-step"
              data-step={step}
              data-status={status}
            >
              <span className="act-step__no">{i + 1}</span>
              {t(STATE_TEXT[step])}
            </li>
          );
        })}
      </ol>
      {act.state === 'interrupted' && (
        <p className="problem" role="status" data-testid="act-interrupted">
          {t('notaryInterrupted', { reason: act.reason ?? '' })}
        </p>
      )}
      {act.state === 'aborted' && (
        <p className="problem" role="status" data-testid="act-aborted">
          {t('notaryAborted', { reason: act.reason ?? '' })}
        </p>
      )}
      {act.state === 'identity' && (
        <p className="hint act-steps__next" data-testid="next-identity">
          {t('notaryDo_identity')}
        </p>
      )}
      {act.state === 'recital_consent' && <p className="hint">{t('notaryRecitalHint')}</p>}
      {act.state === 'sealed' && (
        <p className="notice-inline" data-testid="act-sealed">
          {t('notarySealedNote')}
        </p>
      )}
      <div className="actions">
        {move && (
          <button
            type="button"
            className="button button--primary button--big"
            data-testid="act-next"
            data-event={move.event}
            disabled={busy}
            onClick={() => void send(move.event)}
          >
            {t(move.text)}
          </button>
        )}
        {canAbort && !ending && (
          <button
            type="button"
            className="button button--quiet"
            data-testid="act-abort"
            onClick={() => setEnding(true)}
          >
            {t('notaryAbort')}
          </button>
        )}
      </div>
      {ending && (
        <form
          className="act-steps__abort"
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim()) void send('abort', reason.trim());
          }}
        >
          <label className="field">
            <span className="field__label">{t('notaryAbortReason')}</span>
            <input
              className="field__input"
              data-testid="act-abort-reason"
              maxLength={500}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
          </label>
          <div className="actions">
            <button
              type="submit"
              className="button button--danger"
              data-testid="act-abort-confirm"
              disabled={busy || !reason.trim()}
            >
              {t('notaryAbortConfirm')}
            </button>
            <button type="button" className="button button--quiet" onClick={() => setEnding(false)}>
              {t('cancel')}
            </button>
          </div>
        </form>
      )}
      <ErrorLine error={error} />
    </section>
  );
}
