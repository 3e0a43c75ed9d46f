/**
 * The case's recording opt-in. Sessions are not recorded unless the case opts
 * in, and even then each person consents in the room before anything starts.
 */
import { useState } from 'react';
import { ApiError } from '../api/http';
import { setRecording } from '../api/records';
import type { CaseView } from '../api/types';
import { useStaffI18n } from '../i18n';
import { Card } from './CaseDetail';
import { ErrorLine } from './ui';

export function RecordingSwitch({ c, onChanged }: { c: CaseView; onChanged: (c: CaseView) => void }) {
  const { t } = useStaffI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [missing, setMissing] = useState(false);
  const on = c.sessionRecording === true;
  const mayChange =
    (c.permissions['session:configureRecording'] ?? c.permissions['case:mediate']) && c.status !== 'closed';

  const toggle = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onChanged((await setRecording(c.id, !on)).case);
    } catch (e) {
      // 404 with no such route (the sessions half of the server is not deployed yet).
      if (e instanceof ApiError && e.status === 404 && e.code === 'NOT_FOUND') setMissing(true);
      else setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('recordingTitle')} testId="recording">
      <p className="hint">{t('recordingExplain')}</p>
      <label className={`switch${on ? ' is-on' : ''}`}>
        <input
          type="checkbox"
          role="switch"
          data-testid="recording-switch"
          checked={on}
          disabled={!mayChange || busy || missing}
          onChange={() => void toggle()}
        />
        <span>{t('recordingOn')}</span>
      </label>
      {missing && <p className="hint">{t('recordingUnavailable')}</p>}
      <ErrorLine error={error} />
    </Card>
  );
}
