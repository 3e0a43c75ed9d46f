/** Full-page messages: an error, "you left", and the buttons that lead on from them. */
import { errorText, useI18n, type TextKey } from '../i18n';
import type { RemovedReason } from '../rtc/roomSnapshot';
import type { ClientErrorCode } from '../signaling/errors';
import { LanguageToggle } from './LanguageToggle';

export function ErrorView({ code, onRetry }: { code: ClientErrorCode; onRetry?: () => void }) {
  const { lang, t } = useI18n();
  const text = errorText(lang, code);
  return (
    <main className="notice" data-testid="error" data-code={code}>
      <LanguageToggle />
      <div className="notice__card" role="alert">
        <h1>{text.title}</h1>
        <p>{text.body}</p>
        {onRetry && (
          <button type="button" className="button button--primary" onClick={onRetry}>
            {t('tryAgain')}
          </button>
        )}
        <p className="notice__code">{t('errorCode', { code })}</p>
      </div>
    </main>
  );
}

const LEFT_TEXT = {
  left: ['leftTitle', 'leftBody', 'rejoin'],
  removedByMediator: ['removedByMediator', 'removedByMediatorBody', 'rejoin'],
  openedElsewhere: ['openedElsewhere', 'openedElsewhereBody', 'useHere'],
  linkRevoked: ['linkRevoked', 'linkRevokedBody', null],
} as const satisfies Record<string, readonly [TextKey, TextKey, TextKey | null]>;

/** After leaving, or after the server ended our participation (`removed`). */
export function LeftView({ removed, onRejoin }: { removed: RemovedReason | null; onRejoin: () => void }) {
  const { t } = useI18n();
  const [title, body, action] = LEFT_TEXT[removed ?? 'left'];
  return (
    <main className="notice" data-testid="left" data-reason={removed ?? 'left'}>
      <LanguageToggle />
      <div className="notice__card">
        <h1>{t(title)}</h1>
        <p>{t(body)}</p>
        {action && (
          <button type="button" className="button button--primary" data-testid="rejoin-button" onClick={onRejoin}>
            {t(action)}
          </button>
        )}
      </div>
    </main>
  );
}
