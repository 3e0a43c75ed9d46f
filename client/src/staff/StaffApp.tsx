/**
 * The staff console: who is logged in decides between the login form and the
 * screens. A request that comes back UNAUTHENTICATED (the session expired)
 * brings the login form back, keeping the address so the person lands where
 * they were.
 */
import { useEffect } from 'react';
import { CaseDetail } from './components/CaseDetail';
import { CaseList } from './components/CaseList';
import { Dashboard } from './components/Dashboard';
import { ExpertBoard } from './components/ExpertBoard';
import { Header } from './components/Header';
import { Login } from './components/Login';
import { useStaffSession } from './useStaffSession';
import { NewNotaryAct } from './components/notary/NewNotaryAct';
import { NotaryActPage } from './components/notary/NotaryActPage';
import { NotaryActs } from './components/notary/NotaryActs';
import { RegisterCase } from './components/RegisterCase';
import { ErrorLine, Loading } from './components/ui';
import { useStaffI18n } from './i18n';
import { useRoute } from './router';

export function StaffApp() {
  const { t } = useStaffI18n();
  const { auth, error, setAuth } = useStaffSession();
  const route = useRoute();

  useEffect(() => {
    document.title = `${t('appTitle')} · Gridroom`;
  });

  if (error) {
    return (
      <main className="staff staff--narrow">
        <ErrorLine error={error} onRetry={() => location.reload()} />
      </main>
    );
  }
  if (auth.state === 'checking') {
    return (
      <main className="staff staff--narrow">
        <Loading />
      </main>
    );
  }
  if (auth.state === 'out') {
    return <Login expired={auth.expired} onLoggedIn={(me) => setAuth({ state: 'in', me })} />;
  }
  const me = auth.me;
  return (
    <div className="staff">
      <Header me={me} route={route} onLoggedOut={() => setAuth({ state: 'out', expired: false })} />
      <main className="staff__main" data-testid="staff-main">
        {me.role === 'expert' && (
          <p className="notice-inline" data-testid="to-expert-page">
            {t('expertPageHint')}{' '}
            <a href="/expert" className="button button--primary">
              {t('expertPageOpen')}
            </a>
          </p>
        )}
        {/* A notary has no case records (server/authz/can.ts): their home is their acts. */}
        {route.name === 'cases' && (me.role === 'notary' ? <NotaryActs /> : <CaseList me={me} />)}
        {route.name === 'notary' && <NotaryActs />}
        {route.name === 'notaryNew' && <NewNotaryAct />}
        {route.name === 'notaryAct' && <NotaryActPage key={route.id} actId={route.id} />}
        {route.name === 'register' && <RegisterCase me={me} />}
        {route.name === 'case' && <CaseDetail key={route.id} me={me} caseId={route.id} />}
        {route.name === 'dashboard' && <Dashboard />}
        {route.name === 'experts' && <ExpertBoard />}
      </main>
    </div>
  );
}
