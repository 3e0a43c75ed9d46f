import type { PeerInfo } from '../../../shared/protocol';
import { useI18n } from '../i18n';

/** Recorded sessions: asked once, before any video or sound is sent or received. */
export function ConsentDialog({ onAgree, onDecline }: { onAgree: () => void; onDecline: () => void }) {
  const { t } = useI18n();
  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="consent-title" data-testid="consent">
        <h2 id="consent-title">{t('consentTitle')}</h2>
        <p>{t('consentBody')}</p>
        <button
          type="button"
          className="button button--primary button--big"
          data-testid="consent-button"
          onClick={onAgree}
        >
          {t('consentAgree')}
        </button>
        <button type="button" className="button button--plain" onClick={onDecline}>
          {t('consentDecline')}
        </button>
      </div>
    </div>
  );
}

/** Parties: an expert asks to take part; until this party agrees they neither see nor hear each other. */
export function ExpertConsentDialog({ expert, onAnswer }: { expert: PeerInfo; onAnswer: (consent: boolean) => void }) {
  const { t } = useI18n();
  return (
    <div className="dialog-backdrop">
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="expert-consent-title"
        data-testid="expert-consent"
      >
        <h2 id="expert-consent-title">{t('expertConsentTitle', { name: expert.displayName })}</h2>
        <p>{t('expertConsentBody')}</p>
        <button
          type="button"
          className="button button--primary button--big"
          data-testid="expert-consent-agree"
          onClick={() => onAnswer(true)}
        >
          {t('expertConsentAgree')}
        </button>
        <button
          type="button"
          className="button button--plain"
          data-testid="expert-consent-decline"
          onClick={() => onAnswer(false)}
        >
          {t('expertConsentDecline')}
        </button>
      </div>
    </div>
  );
}
