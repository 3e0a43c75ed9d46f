/** Username and password; the server sets an HttpOnly session cookie on success. */
import { useState, type FormEvent } from 'react';
import { LanguageToggle } from '../../components/LanguageToggle';
import { ApiError } from '../api/http';
import { login } from '../api/records';
import type { Me } from '../api/types';
import { useStaffI18n } from '../i18n';
import { ErrorLine } from './ui';

export function Login({ expired, onLoggedIn }: { expired: boolean; onLoggedIn: (me: Me) => void }) {
  const { t } = useStaffI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [wrong, setWrong] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    setWrong(false);
    try {
      const { staff } = await login(username, password);
      onLoggedIn(staff);
    } catch (e) {
      if (e instanceof ApiError && (e.code === 'UNAUTHENTICATED' || e.code === 'BAD_REQUEST')) setWrong(true);
      else setError(e);
      setBusy(false);
    }
  };

  return (
    <main className="staff staff--narrow login">
      <div className="login__top">
        <h1>{t('loginTitle')}</h1>
        <LanguageToggle />
      </div>
      {expired && <p className="notice-inline">{t('sessionExpired')}</p>}
      <form className="stack" onSubmit={submit}>
        <label className="field">
          <span className="field__label">{t('username')}</span>
          <input
            className="field__input"
            data-testid="login-username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">{t('password')}</span>
          <input
            className="field__input"
            data-testid="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            aria-invalid={wrong}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {wrong && (
          <p className="field__error" role="alert" data-testid="login-error">
            {t('wrongPassword')}
          </p>
        )}
        <ErrorLine error={error} />
        <button type="submit" className="button button--primary button--big" data-testid="login-submit" disabled={busy}>
          {busy ? t('loggingIn') : t('loginSubmit')}
        </button>
      </form>
    </main>
  );
}
