/** One join link: whose it is, until when, whether it is still good, and what can be done with it. */
import { useState } from 'react';
import type { LinkView } from '../api/sessions';
import { copyText } from '../copy';
import { useStaffI18n, type StaffTextKey } from '../i18n';
import { ErrorLine } from './ui';

type LinkState = 'active' | 'bound' | 'revoked' | 'expired';

function stateOf(link: LinkView, now: number): LinkState {
  if (link.revokedAt) return 'revoked';
  if (Date.parse(link.expiresAt) <= now) return 'expired';
  return link.deviceBound ? 'bound' : 'active';
}

const STATE_TEXT: Record<LinkState, StaffTextKey> = {
  active: 'linkActive',
  bound: 'linkBound',
  revoked: 'linkRevoked',
  expired: 'linkExpired',
};

export function LinkRow({
  link,
  sms,
  mayRevoke,
  onRevoke,
}: {
  link: LinkView;
  sms: string | undefined;
  mayRevoke: boolean;
  onRevoke: () => Promise<void>;
}) {
  const { t, dateTime } = useStaffI18n();
  const [copied, setCopied] = useState<'link' | 'sms' | null>(null);
  const [manual, setManual] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const state = stateOf(link, Date.now());
  const usable = state === 'active' || state === 'bound';

  const copy = async (what: 'link' | 'sms', text: string) => {
    setManual(null);
    if (await copyText(text)) {
      setCopied(what);
      window.setTimeout(() => setCopied((c) => (c === what ? null : c)), 2000);
    } else setManual(text);
  };

  const revoke = async () => {
    if (!window.confirm(t('revokeConfirm', { name: link.label }))) return;
    setBusy(true);
    setError(undefined);
    try {
      await onRevoke();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <tr className={`link link--${state}`} data-testid="link-row" data-role={link.role} data-state={state}>
      <td className="link__who">
        <strong>{link.label}</strong>
      </td>
      <td className="link__role" data-label={t('colRole')}>
        {t(`linkRole_${link.role}` as StaffTextKey)}
      </td>
      <td data-label={t('colExpires')}>{dateTime(link.expiresAt)}</td>
      <td data-label={t('colLinkStatus')}>
        <span className={`link__state link__state--${state}`}>{t(STATE_TEXT[state])}</span>
      </td>
      <td>
        <div className="link__actions">
          {usable && link.url && link.role === 'mediator' && (
            <a
              className="button button--primary button--small"
              href={link.url}
              target="_blank"
              rel="noopener noreferrer"
              data-testid="open-room"
            >
              {t('openRoom')}
            </a>
          )}
          {usable && link.url && (
            <button
              type="button"
              className="button button--secondary button--small"
              data-testid="copy-link"
              onClick={() => void copy('link', link.url!)}
            >
              {copied === 'link' ? `✓ ${t('copied')}` : t('copyLink')}
            </button>
          )}
          {usable && sms && (
            <button
              type="button"
              className="button button--secondary button--small"
              data-testid="copy-sms"
              onClick={() => void copy('sms', sms)}
            >
              {copied === 'sms' ? `✓ ${t('copied')}` : t('copySms')}
            </button>
          )}
          {usable && !link.url && <span className="hint">{t('noUrl')}</span>}
          {mayRevoke && state !== 'revoked' && (
            <button
              type="button"
              className="button button--danger button--small"
              data-testid="revoke-link"
              disabled={busy}
              onClick={() => void revoke()}
            >
              {t('revoke')}
            </button>
          )}
          {manual && (
            <label className="field manual-copy">
              <span className="field__hint">{t('copyFailed')}</span>
              <textarea className="field__input" readOnly rows={3} value={manual} onFocus={(e) => e.target.select()} />
            </label>
          )}
          <ErrorLine error={error} />
        </div>
      </td>
    </tr>
  );
}
