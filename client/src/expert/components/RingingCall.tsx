/**
 * The call ringing now: what the case is (never who the parties are), a
 * countdown to when the offer is withdrawn, and two big buttons. It is a
 * dialog on top of the page so a phone shows nothing else while it rings.
 */
import { useEffect, useState } from 'react';
import type { RingerState } from '../ringer';
import type { RingingCall as Call } from '../OnCall';
import { DISPUTE_TYPES, LEVELS, useExpertI18n } from '../i18n';

export function RingingCall({
  call,
  answering,
  sound,
  onAnswer,
  onRetrySound,
}: {
  call: Call;
  answering: boolean;
  sound: RingerState;
  onAnswer: (how: 'accept' | 'decline') => void;
  onRetrySound: () => void;
}) {
  const { t, label } = useExpertI18n();
  const secondsLeft = useSecondsLeft(call.expiresAtLocal);
  const { summary } = call.offer;
  // The whole ring, as long as it was when it reached this page (the component is keyed by offer).
  const [total] = useState(() => Math.max(1, secondsLeft));
  return (
    <div
      className="ring"
      role="alertdialog"
      aria-labelledby="ring-title"
      data-testid="ringing-call"
      data-offer-id={call.offer.offerId}
      data-sound={sound}
    >
      <div className="ring__card">
        <h2 id="ring-title" className="ring__title">
          {t('incoming')}
        </h2>
        <p className="ring__countdown" data-testid="ring-countdown" aria-live="off">
          {t('secondsLeft', { n: secondsLeft })}
        </p>
        <progress className="ring__bar" max={total} value={secondsLeft} aria-hidden="true" />
        <dl className="facts ring__facts">
          <dt>{t('disputeType')}</dt>
          <dd data-testid="ring-dispute-type">{label(DISPUTE_TYPES[summary.disputeType])}</dd>
          <dt>{t('caseNo')}</dt>
          <dd>{summary.caseNo}</dd>
          <dt>{t('where')}</dt>
          <dd>
            {summary.districtName} {summary.townshipName} {summary.gridName}
          </dd>
          <dt>{t('level')}</dt>
          <dd>{label(LEVELS[summary.level])}</dd>
          <dt>{t('requestedBy')}</dt>
          <dd>{summary.requestedByName}</dd>
          <dt>{t('note')}</dt>
          <dd data-testid="ring-note">{summary.note || t('noNote')}</dd>
        </dl>
        <p className="hint">{t('noParties')}</p>
        {sound === 'blocked' && (
          <button type="button" className="button button--secondary expert__wide" onClick={onRetrySound}>
            {t('soundBlocked')}
          </button>
        )}
        <div className="ring__answers">
          <button
            type="button"
            className="button button--big ring__decline"
            data-testid="ring-decline"
            disabled={answering}
            onClick={() => onAnswer('decline')}
          >
            {t('decline')}
          </button>
          <button
            type="button"
            className="button button--big ring__accept"
            data-testid="ring-accept"
            disabled={answering}
            onClick={() => onAnswer('accept')}
          >
            {answering ? t('answering') : t('accept')}
          </button>
        </div>
      </div>
    </div>
  );
}

/** Whole seconds until `until` (this device's clock), ticking; never below 0. */
function useSecondsLeft(until: number): number {
  const left = () => Math.max(0, Math.ceil((until - Date.now()) / 1000));
  const [seconds, setSeconds] = useState(left);
  useEffect(() => {
    setSeconds(left());
    const timer = setInterval(() => setSeconds(left()), 250);
    return () => clearInterval(timer);
    // `left` reads only `until`.
  }, [until]);
  return seconds;
}
