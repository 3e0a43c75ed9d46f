/**
 * The document of the act: the PDF the signer signs (uploaded here, changeable
 * until the act is final) and, once sealed, the notarized PDF to download.
 */
import { useState, type ChangeEvent } from 'react';
import { sealedPdfUrl, uploadDocument, type ActView } from '../../api/notary';
import { useStaffI18n } from '../../i18n';
import { ErrorLine } from '../ui';

export function DocumentPanel({
  view,
  run,
}: {
  view: ActView;
  run: (request: () => Promise<ActView>) => Promise<void>;
}) {
  const { t } = useStaffI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const { act } = view;
  const final = act.state === 'sealed' || act.state === 'aborted';

  const upload = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      await run(() => uploadDocument(act.id, file));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" data-testid="document-panel">
      <h2 className="card__title">{t('notaryDocument')}</h2>
      <p>{act.documentDescription}</p>
      <p className="mono" data-testid="document-sha256">
        {act.documentSha256 ? `SHA-256 ${act.documentSha256}` : t('notaryNoDocument')}
      </p>
      {!final && (
        <label className="button button--secondary file-button">
          {busy ? t('notaryUploading') : t(act.documentSha256 ? 'notaryReplaceDocument' : 'notaryUploadDocument')}
          <input
            type="file"
            accept="application/pdf"
            data-testid="document-file"
            disabled={busy}
            onChange={(e) => void upload(e)}
          />
        </label>
      )}
      {act.state === 'sealed' && (
        <a className="button button--primary button--big" href={sealedPdfUrl(act.id)} data-testid="sealed-download">
          {t('notaryDownloadSealed')}
        </a>
      )}
      <ErrorLine error={error} />
    </section>
  );
}
