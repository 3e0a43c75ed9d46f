/** The expert's past calls, newest first; reloaded whenever a call ends on this page. */
import { useEffect, useState } from 'react';
import type { OfferHistoryEntry } from '../../../../shared/expertViews';
import { offerHistory } from '../api';
import { DISPUTE_TYPES, errorText, useExpertI18n, type ExpertTextKey } from '../i18n';

export function OfferHistory({ version }: { version: number }) {
  const { t, label, dateTime } = useExpertI18n();
  const [offers, setOffers] = useState<OfferHistoryEntry[] | null>(null);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [retry, setRetry] = useState(0);

  useEffect(() => {
    let current = true;
    offerHistory().then(
      (reply) => {
        if (!current) return;
        setOffers(reply.offers);
        setError(null);
      },
      (e: { code?: string; message?: string }) =>
        current && setError({ code: e.code ?? 'INTERNAL', message: e.message ?? String(e) }),
    );
    return () => {
      current = false;
    };
  }, [version, retry]);

  return (
    <section className="card" data-testid="offer-history">
      <h2 className="card__title">{t('historyTitle')}</h2>
      {error && (
        <p className="problem" role="alert">
          {errorText(t, error)}{' '}
          <button type="button" className="linklike" onClick={() => setRetry((r) => r + 1)}>
            {t('retry')}
          </button>
        </p>
      )}
      {offers === null && !error && <p className="hint">{t('loading')}</p>}
      {offers?.length === 0 && <p className="empty">{t('noHistory')}</p>}
      {offers && offers.length > 0 && (
        <ul className="history">
          {offers.map((o) => (
            <li key={o.offerId} className="history__item" data-testid="history-row" data-answer={o.answer ?? 'open'}>
              <div className="history__top">
                <strong>{o.caseNo}</strong>
                <span className={`tag history__answer history__answer--${o.answer ?? 'open'}`}>
                  {t(`answer_${o.answer ?? 'open'}` as ExpertTextKey)}
                </span>
              </div>
              <div className="history__meta">
                {label(DISPUTE_TYPES[o.disputeType])} · {o.townshipName} {o.gridName} · {o.requestedByName} ·{' '}
                {dateTime(o.offeredAt)}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
