/**
 * The case's agreement as the mediator sees it in the console: where signing
 * stands (open, locked with its hash, who has signed, sealed), whether the
 * parties may edit the text or only comment (applied at once to parties who
 * have it open), and the sealed PDF once there is one. Locking and signing
 * happen in the session room, where each person signs on their own device.
 */
import { useEffect, useState } from 'react';
import type { PartyAgreementAccess } from '../../../../shared/agreement';
import { agreement, sealedAgreementUrl, setPartyAccess, type AgreementView } from '../api/records';
import type { CaseView } from '../api/types';
import { useStaffI18n } from '../i18n';
import { Card } from './CaseDetail';
import { ErrorLine } from './ui';

export function AgreementCard({ c }: { c: CaseView }) {
  const { t } = useStaffI18n();
  const [view, setView] = useState<AgreementView | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let current = true;
    agreement(c.id).then(
      (v) => current && setView(v),
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [c.id]);

  const change = async (access: PartyAgreementAccess) => {
    setBusy(true);
    setError(undefined);
    try {
      setView(await setPartyAccess(c.id, access));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const signing = view?.signing;
  return (
    <Card title={t('agreementTitle')} testId="agreement-card">
      {signing && (
        <>
          <p data-testid="agreement-status">{t(`agreementStatus_${signing.status}`)}</p>
          {signing.sha256 && (
            <p className="hint">
              SHA-256 <code className="hash">{signing.sha256}</code>
            </p>
          )}
          {signing.status !== 'open' && (
            <ul className="plain">
              {signing.signatories.map((s) => (
                <li key={s.key}>
                  {s.signedAt ? '✓' : '○'} {s.name || t('agreementMediator')}
                  {s.signedAt && ` · ${new Date(s.signedAt).toLocaleString()}`}
                </li>
              ))}
            </ul>
          )}
          {signing.status === 'open' && signing.lastVoided && (
            <p className="hint">
              {t('agreementVoided', {
                count: String(signing.lastVoided.signatures),
                at: new Date(signing.lastVoided.at).toLocaleString(),
              })}
            </p>
          )}
          {signing.status === 'sealed' && (
            <a className="button" href={sealedAgreementUrl(c.id)} data-testid="agreement-pdf" download>
              {t('agreementDownload')}
            </a>
          )}
        </>
      )}
      {view && (
        <label className={`switch${view.partyAccess === 'comment' ? ' is-on' : ''}`}>
          <input
            type="checkbox"
            role="switch"
            data-testid="agreement-comment-only"
            checked={view.partyAccess === 'comment'}
            disabled={!view.mayConfigure || busy}
            onChange={() => void change(view.partyAccess === 'comment' ? 'edit' : 'comment')}
          />
          <span>{t('agreementCommentOnly')}</span>
        </label>
      )}
      <ErrorLine error={error} />
    </Card>
  );
}
