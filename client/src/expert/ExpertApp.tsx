/**
 * The expert's page (/expert): the staff login, then, for an account in an
 * expert pool, their duty screen. Anyone else is pointed to the console.
 */
import { useEffect, useState } from 'react';
import { STAFF_ROLES } from '../../../shared/staff';
import { ApiError } from '../staff/api/http';
import type { Me } from '../staff/api/types';
import { Login } from '../staff/components/Login';
import { useStaffSession } from '../staff/useStaffSession';
import { expertSelf } from './api';
import { DutyScreen } from './components/DutyScreen';
import { useExpertI18n } from './i18n';

export function ExpertApp() {
  const { t, label } = useExpertI18n();
  const { auth, error, setAuth } = useStaffSession();

  useEffect(() => {
    document.title = `${t('appTitle')} · Gridroom`;
  });

  if (error) return <Problem text={String((error as Error).message ?? error)} />;
  if (auth.state === 'checking') return <Problem text={t('loading')} quiet />;
  if (auth.state === 'out') {
    return <Login expired={auth.expired} onLoggedIn={(me) => setAuth({ state: 'in', me })} />;
  }
  if (auth.me.role !== 'expert') {
    return (
      <main className="staff staff--narrow expert" data-testid="not-expert">
        <p className="problem">{t('notExpert', { role: label(STAFF_ROLES[auth.me.role]) })}</p>
        <a className="button button--primary button--big" href="/staff">
          {t('toConsole')}
        </a>
      </main>
    );
  }
  return <ExpertHome me={auth.me} onLoggedOut={() => setAuth({ state: 'out', expired: false })} />;
}

function ExpertHome({ me, onLoggedOut }: { me: Me; onLoggedOut: () => void }) {
  const { t } = useExpertI18n();
  const [self, setSelf] = useState<Awaited<ReturnType<typeof expertSelf>>['expert'] | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    let current = true;
    expertSelf().then(
      ({ expert }) => current && setSelf(expert),
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [me.id]);
  if (error instanceof ApiError && error.code === 'FORBIDDEN') return <Problem text={t('notInPool')} />;
  if (error) return <Problem text={String((error as Error).message ?? error)} />;
  if (!self) return <Problem text={t('loading')} quiet />;
  return <DutyScreen self={self} onLoggedOut={onLoggedOut} />;
}

function Problem({ text, quiet = false }: { text: string; quiet?: boolean }) {
  return (
    <main className="staff staff--narrow expert">
      <p className={quiet ? 'hint' : 'problem'} role={quiet ? undefined : 'alert'}>
        {text}
      </p>
    </main>
  );
}
