/**
 * Whether the act is being recorded now, and every attempt's closed recording
 * with its SHA-256 (an interrupted attempt's stays on record). An act is
 * recorded from identity to the seal; before and after, and while
 * interrupted, nothing is.
 */
import type { ActView } from '../../api/notary';
import { useStaffI18n } from '../../i18n';

export function RecordingPanel({ view }: { view: ActView }) {
  const { t, dateTime } = useStaffI18n();
  const { act } = view;
  const state = view.recording ? 'recording' : act.state === 'interrupted' ? 'paused' : 'off';
  return (
    <section className="card" data-testid="recording-panel" data-recording={state}>
      <h2 className="card__title">{t('notaryRecording')}</h2>
      <p className={`rec-state rec-state--${state}`} data-testid="recording-state">
        {state === 'recording' && t('notaryRecOn', { attempt: act.attempt })}
        {state === 'paused' && t('notaryRecPaused')}
        {state === 'off' && t(act.state === 'scheduled' ? 'notaryRecNotYet' : 'notaryRecOff')}
      </p>
      {view.recordings.length > 0 && (
        <ol className="recordings" data-testid="recordings">
          {view.recordings.map((r) => (
            <li key={r.attempt} data-testid="recording" data-attempt={r.attempt}>
              {t('notaryAttempt', { attempt: r.attempt })} · {dateTime(r.startedAt)} – {dateTime(r.stoppedAt)}
              <br />
              <span className="mono" data-testid="recording-sha256">
                SHA-256 {r.sha256}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
