/** The top bar: where to go, who is logged in and at which post, the language and sign-out. */
import { useState } from 'react';
import { LanguageToggle } from '../../components/LanguageToggle';
import { logout } from '../api/records';
import type { Me } from '../api/types';
import { LEVELS, STAFF_ROLES, useStaffI18n } from '../i18n';
import { forgetOrg, postName, useOrg } from '../org';
import type { Route } from '../router';
import { RouteLink } from './ui';

export function Header({ me, route, onLoggedOut }: { me: Me; route: Route; onLoggedOut: () => void }) {
  const { t, label } = useStaffI18n();
  const [busy, setBusy] = useState(false);
  const org = useOrg();
  const place = postName(org.data, me.post);
  const signOut = async () => {
    setBusy(true);
    // Whatever the server says (even an expired session), this page forgets the person.
    await logout().catch(() => undefined);
    forgetOrg();
    onLoggedOut();
  };
  const onCases = route.name === 'cases' || route.name === 'case' || route.name === 'register';
  const onNotary = route.name === 'notary' || route.name === 'notaryNew' || route.name === 'notaryAct';
  return (
    <header className="topbar">
      <nav className="topbar__nav">
        <span className="topbar__brand">{t('appTitle')}</span>
        {me.role === 'notary' ? (
          <RouteLink
            to={{ name: 'notary' }}
            className={`topbar__link${onNotary || onCases ? ' is-current' : ''}`}
            testId="nav-notary"
          >
            {t('navNotary')}
          </RouteLink>
        ) : (
          <RouteLink
            to={{ name: 'cases' }}
            className={`topbar__link${onCases ? ' is-current' : ''}`}
            testId="nav-cases"
          >
            {t('navCases')}
          </RouteLink>
        )}
        {me.role === 'coordinator' && (
          <RouteLink
            to={{ name: 'dashboard' }}
            className={`topbar__link${route.name === 'dashboard' ? ' is-current' : ''}`}
            testId="nav-dashboard"
          >
            {t('navDashboard')}
          </RouteLink>
        )}
        {me.role === 'coordinator' && (
          <RouteLink
            to={{ name: 'experts' }}
            className={`topbar__link${route.name === 'experts' ? ' is-current' : ''}`}
            testId="nav-experts"
          >
            {t('navExperts')}
          </RouteLink>
        )}
      </nav>
      <div className="topbar__me">
        <span className="topbar__who" data-testid="whoami">
          <strong>{me.displayName}</strong>{' '}
          <span className="topbar__post">
            {label(STAFF_ROLES[me.role])}
            {me.post ? ` · ${place ?? label(LEVELS[me.post.level])}` : ''}
          </span>
        </span>
        <LanguageToggle />
        <button type="button" className="button button--quiet" data-testid="logout" disabled={busy} onClick={signOut}>
          {t('logout')}
        </button>
      </div>
    </header>
  );
}
