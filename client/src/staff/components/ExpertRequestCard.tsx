/**
 * The mediator's "ask for an expert" in a case: a specialty (the case's own
 * by default), an optional language and a question; then the request's news
 * as it comes (who rings, who let it pass, who accepted, nobody left), a
 * cancel while it rings, and a release once an expert is in the case.
 *
 * The news comes on the /presence socket, opened while this card is shown.
 * A request goes on ringing if the mediator leaves the page; its news then
 * reaches any other page of theirs that has the socket open.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { DISPUTE_TYPES, type DisputeType } from '../../../../shared/cases';
import type { CaseId, ExpertId } from '../../../../shared/ids';
import { PresenceConnection, type PresenceStatus } from '../../presence/PresenceConnection';
import { codeOf } from '../../signaling/errors';
import { Store } from '../../store';
import { expertPool } from '../api/experts';
import { ApiError } from '../api/http';
import type { CaseView } from '../api/types';
import { isOpen, track, type RequestStep, type TrackedRequest } from '../expertRequest';
import { useStaffI18n, type StaffTextKey } from '../i18n';
import { Card } from './CaseDetail';
import { ErrorLine, useLoad } from './ui';

/** The console's errors are ApiErrors; a socket's timeouts and drops read as a network failure. */
function asApiError(error: unknown): ApiError {
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const known =
    code === 'TIMEOUT' || code === 'DISCONNECTED' ? 'NETWORK' : code === 'UNSUPPORTED_BROWSER' ? 'INTERNAL' : code;
  return new ApiError(known, message, 0);
}

interface CardState {
  request: TrackedRequest | null;
  released: ExpertId | null;
}

export function ExpertRequestCard({ c }: { c: CaseView }) {
  const { t, label } = useStaffI18n();
  const pool = useLoad(() => expertPool(), 'expert-pool');
  const [specialty, setSpecialty] = useState<DisputeType>(c.disputeType);
  const [language, setLanguage] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [store] = useState(() => new Store<CardState>({ request: null, released: null }));
  const { request, released } = useSyncExternalStore(store.subscribe, store.get);
  const [link, setLink] = useState<{ connection: PresenceConnection; status: PresenceStatus } | null>(null);
  const connection = link?.connection;
  const linkState = link?.status ?? { state: 'connecting' };

  // Opened here, not in a useState initializer, so a remount (StrictMode's, or the route's) gets a fresh socket.
  useEffect(() => {
    const opened = new PresenceConnection();
    setLink({ connection: opened, status: opened.status });
    const offStatus = opened.onStatus((status) => setLink({ connection: opened, status }));
    const offNews = opened.on('expertRequest:updated', (update) => {
      if (update.caseId !== c.id) return;
      const current = store.get().request;
      // News of another request for this case (the mediator's other tab) is taken up only when this one is idle.
      if (current && current.requestId !== update.requestId && isOpen(current)) return;
      store.set({ request: track(current?.requestId === update.requestId ? current : null, update) });
    });
    return () => {
      offStatus();
      offNews();
      opened.close();
    };
  }, [store, c.id]);

  const nameOf = (id: ExpertId) => pool.data?.experts.find((e) => e.id === id)?.displayName ?? t('expertUnknown');
  const languages = [...new Set(pool.data?.experts.flatMap((e) => e.languages) ?? [])].sort();
  const specialties = (Object.keys(DISPUTE_TYPES) as DisputeType[]).filter(
    (s) => s === c.disputeType || pool.data?.experts.some((e) => e.specialties.includes(s)),
  );

  const run = async (work: (connection: PresenceConnection) => Promise<void>) => {
    if (!connection) return;
    setBusy(true);
    setError(undefined);
    try {
      await work(connection);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };
  const ask = () =>
    run(async (connection) => {
      const first = await connection.request('expertRequest:create', {
        caseId: c.id as CaseId,
        specialty,
        ...(language ? { language } : {}),
        note: note.trim(),
      });
      const current = store.get().request;
      // The socket's news may have arrived before the ack: keep what it built.
      store.set({ request: track(current?.requestId === first.requestId ? current : null, first), released: null });
      setNote('');
    });
  const cancel = () =>
    run(async (connection) => {
      if (request) await connection.request('expertRequest:cancel', { requestId: request.requestId });
    });
  const release = (expertId: ExpertId) =>
    run(async (connection) => {
      await connection.request('expertRequest:release', { caseId: c.id as CaseId, expertId });
      store.set({ released: expertId });
    });

  const status = request?.latest.status;
  const accepted = request?.latest.status === 'accepted' ? request.latest.expertId : null;
  return (
    <Card title={t('expertTitle')} testId="expert-request">
      <div className="stack" data-testid="expert-request-state" data-status={status ?? 'none'}>
        <p className="hint">{t('expertExplain')}</p>
        {linkState.state === 'disconnected' && <p className="notice-inline">{t('expertOffline')}</p>}
        {linkState.state === 'refused' && <p className="problem">{linkState.message}</p>}
        {!isOpen(request) && (
          <>
            <label className="field">
              <span className="field__label">{t('expertSpecialty')}</span>
              <select
                className="field__input"
                data-testid="expert-specialty"
                value={specialty}
                onChange={(e) => setSpecialty(e.target.value as DisputeType)}
              >
                {specialties.map((s) => (
                  <option key={s} value={s}>
                    {label(DISPUTE_TYPES[s])}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span className="field__label">{t('expertLanguage')}</span>
              <select
                className="field__input"
                data-testid="expert-language"
                value={language}
                onChange={(e) => setLanguage(e.target.value)}
              >
                <option value="">{t('expertAnyLanguage')}</option>
                {languages.map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span className="field__label">{t('expertNote')}</span>
              <textarea
                className="field__input field__input--area"
                data-testid="expert-note"
                maxLength={1000}
                value={note}
                onChange={(e) => setNote(e.target.value)}
              />
              <span className="hint">{t('expertNoteHint')}</span>
            </label>
            <button
              type="button"
              className="button button--primary"
              data-testid="expert-ask"
              disabled={busy || linkState.state !== 'connected'}
              onClick={() => void ask()}
            >
              {busy ? t('expertAsking') : request ? t('expertAskAgain') : t('expertAsk')}
            </button>
          </>
        )}
        {request && (
          <>
            <p>
              <span className={`tag expert-status expert-status--${status}`} data-testid="expert-request-status">
                {t(`expertStatus_${status}` as StaffTextKey)}
              </span>
            </p>
            <ol className="expert-steps" data-testid="expert-steps">
              {request.steps.map((step, i) => (
                <li key={i} data-kind={step.kind}>
                  {stepText(t, step, nameOf)}
                </li>
              ))}
            </ol>
          </>
        )}
        {isOpen(request) && (
          <button
            type="button"
            className="button button--secondary"
            data-testid="expert-cancel"
            disabled={busy}
            onClick={() => void cancel()}
          >
            {t('expertCancel')}
          </button>
        )}
        {accepted && released !== accepted && (
          <>
            <p className="hint">{t('expertInvite', { name: nameOf(accepted) })}</p>
            <button
              type="button"
              className="button button--secondary"
              data-testid="expert-release"
              disabled={busy}
              onClick={() => void release(accepted)}
            >
              {t('expertRelease')}
            </button>
          </>
        )}
        {accepted && released === accepted && <p className="hint">{t('expertReleased', { name: nameOf(accepted) })}</p>}
        <ErrorLine error={error} />
      </div>
    </Card>
  );
}

function stepText(
  t: (key: StaffTextKey, params?: Record<string, string>) => string,
  step: RequestStep,
  nameOf: (id: ExpertId) => string,
): string {
  const key = `expertStep_${step.kind}` as StaffTextKey;
  return 'expertId' in step ? t(key, { name: nameOf(step.expertId) }) : t(key);
}
