/**
 * The expert's duty screen: who they are, the "go on call" button whose click
 * also unlocks the ring tone, their availability, the ringing call, the case
 * they are in, what just ended, and their history of calls.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { ExpertSelf } from '../../../../shared/expertViews';
import { LanguageToggle } from '../../components/LanguageToggle';
import { logout } from '../../staff/api/records';
import { DISPUTE_TYPES, EXPERT_STATES, errorText, useExpertI18n } from '../i18n';
import { OnCall } from '../OnCall';
import { OfferHistory } from './OfferHistory';
import { RingingCall } from './RingingCall';

export function DutyScreen({ self, onLoggedOut }: { self: ExpertSelf; onLoggedOut: () => void }) {
  const { t, label, lang } = useExpertI18n();
  const [duty] = useState(() => new OnCall());
  useEffect(() => () => duty.close(), [duty]);
  const state = useSyncExternalStore(duty.store.subscribe, duty.store.get);
  useEffect(() => {
    duty.ringText = (offer) => ({
      title: t('incoming'),
      body: `${label(DISPUTE_TYPES[offer.summary.disputeType])} · ${offer.summary.townshipName} ${offer.summary.gridName}`,
    });
  });
  // The tab's title rings too, for a page behind other tabs.
  useEffect(() => {
    if (!state.ringing) return;
    const before = document.title;
    document.title = `🔔 ${t('incoming')}`;
    return () => {
      document.title = before;
    };
    // `t` is new every render; the language is what changes its words.
  }, [state.ringing, lang]);
  const onCall = state.connection !== 'off';
  const busy = state.presence === 'ringing' || state.presence === 'in_case';

  const signOut = async () => {
    duty.endDuty();
    await logout().catch(() => undefined);
    onLoggedOut();
  };

  return (
    <div
      className="staff expert"
      data-testid="expert-page"
      data-connection={state.connection}
      data-presence={state.presence ?? 'offline'}
    >
      <header className="topbar">
        <div className="topbar__nav">
          <span className="topbar__brand">{t('appTitle')}</span>
        </div>
        <div className="topbar__me">
          <span className="topbar__who" data-testid="whoami">
            <strong>{self.displayName}</strong> {self.title && <span className="topbar__post">{self.title}</span>}
          </span>
          <LanguageToggle />
          <button type="button" className="button button--quiet" data-testid="logout" onClick={() => void signOut()}>
            {t('logout')}
          </button>
        </div>
      </header>

      <main className="expert__main">
        <p className="expert__skills">
          {t('specialties')}: {self.specialties.map((s) => label(DISPUTE_TYPES[s])).join('、')}
          {self.languages.length > 0 && ` · ${t('languages')}: ${self.languages.join(', ')}`}
        </p>

        {state.ringing && (
          <RingingCall
            key={state.ringing.offer.offerId}
            call={state.ringing}
            answering={state.answering}
            sound={state.sound}
            onAnswer={(how) => void duty.answer(how)}
            onRetrySound={() => duty.retrySound()}
          />
        )}

        {state.lastEnded && (
          <div className="expert__notice" role="status" data-testid="ring-ended" data-why={state.lastEnded.why}>
            <span>
              {state.lastEnded.caseNo ? `${state.lastEnded.caseNo}: ` : ''}
              {t(`ended_${state.lastEnded.why}`)}
            </span>
            <button type="button" className="button button--quiet" onClick={() => duty.dismissEnded()}>
              {t('dismiss')}
            </button>
          </div>
        )}

        {state.inCase && (
          <section className="card expert__case" data-testid="in-case" data-case-id={state.inCase.caseId ?? ''}>
            <h2 className="card__title">{t('inCaseTitle')}</h2>
            {state.inCase.summary ? (
              <p className="expert__big">
                {state.inCase.summary.caseNo} · {label(DISPUTE_TYPES[state.inCase.summary.disputeType])} ·{' '}
                {state.inCase.summary.townshipName} {state.inCase.summary.gridName}
              </p>
            ) : (
              <p>{t('inCaseUnknown')}</p>
            )}
            {state.inCase.joinUrl ? (
              <a
                className="button button--primary button--big expert__wide"
                href={state.inCase.joinUrl}
                target="_blank"
                rel="noopener"
                data-testid="join-session"
              >
                {t('joinSession')}
              </a>
            ) : (
              <p className="hint">{t('inCaseHint')}</p>
            )}
            <button
              type="button"
              className="button button--secondary button--big expert__wide"
              data-testid="leave-case"
              onClick={() => window.confirm(t('confirmLeave')) && void duty.leaveCase()}
            >
              {t('leaveCase')}
            </button>
          </section>
        )}

        {!onCall ? (
          <section className="card expert__duty">
            <p className="expert__big">{t('offDuty')}</p>
            <button
              type="button"
              className="button button--primary button--big expert__wide"
              data-testid="go-on-call"
              onClick={() => duty.goOnCall()}
            >
              {t('goOnCall')}
            </button>
            <p className="hint">{t('goOnCallHint')}</p>
          </section>
        ) : (
          <section className="card expert__duty">
            {state.connection === 'connecting' && <p className="hint">{t('connecting')}</p>}
            {state.connection === 'disconnected' && (
              <p className="problem" role="alert">
                {t('reconnecting')}
              </p>
            )}
            {state.refusal && (
              <p className="problem" role="alert" data-testid="refused">
                {t('refused', { message: state.refusal.message })}
              </p>
            )}
            <p className="expert__state">
              {t('yourState')}:{' '}
              <strong className={`presence presence--${state.presence ?? 'offline'}`} data-testid="presence-state">
                {label(EXPERT_STATES[state.presence ?? 'offline'])}
              </strong>
            </p>
            <div className="expert__choices" role="group" aria-label={t('yourState')}>
              {(['available', 'away'] as const).map((choice) => (
                <button
                  key={choice}
                  type="button"
                  className={`button button--big ${state.chosen === choice ? 'button--primary' : 'button--secondary'}`}
                  aria-pressed={state.chosen === choice}
                  data-testid={`set-${choice}`}
                  disabled={busy || state.connection !== 'connected'}
                  onClick={() => void duty.setAvailability(choice)}
                >
                  {t(choice === 'available' ? 'setAvailable' : 'setAway')}
                </button>
              ))}
            </div>
            {busy && <p className="hint">{t('availabilityBusy')}</p>}
            <button
              type="button"
              className="button button--danger expert__wide"
              data-testid="end-duty"
              onClick={() => duty.endDuty()}
            >
              {t('endDuty')}
            </button>
          </section>
        )}

        {state.error && (
          <p className="problem" role="alert" data-testid="error-line">
            {errorText(t, state.error)}
          </p>
        )}

        <OfferHistory version={state.historyVersion} />
      </main>
    </div>
  );
}
