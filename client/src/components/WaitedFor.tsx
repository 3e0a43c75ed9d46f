/** "Waiting for 3:12": a party in the waiting room sees that time passes and nothing is stuck. */
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n';

function elapsed(sinceMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.floor((nowMs - sinceMs) / 1000));
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}

export function WaitedFor({ since }: { since: string }) {
  const { t } = useI18n();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <p className="lobby__waited" data-testid="lobby-waited">
      {t('lobbyWaited', { time: elapsed(Date.parse(since), now) })}
    </p>
  );
}
