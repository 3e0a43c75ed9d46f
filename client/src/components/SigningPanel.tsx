/**
 * Lock and sign, above the agreement: the state everyone sees (open, locked
 * with its SHA-256, who has signed, sealed), the mediator's lock and unlock,
 * and each signatory's signing form. Signatures voided by an edit or an
 * unlock are announced until the next lock.
 *
 * Before the sign button is offered, this device hashes its own copy of the
 * text: a signer signs only what their screen shows, and what the server
 * locked must be that.
 */
import { useEffect, useState } from 'react';
import type * as Y from 'yjs';
import { agreementRoots, canonicalText } from '../../../shared/agreement';
import type { Role } from '../../../shared/roles';
import {
  readSigningState,
  sha256Hex,
  SIGNING_CONSENT_TEXT,
  type SignatureDrawing,
  type SigningState,
} from '../../../shared/signing';
import type { SigningApi } from '../agreement/signingApi';
import { attempt } from '../attempt';
import { useI18n } from '../i18n';
import { SignaturePad } from './SignaturePad';

/** The signing state in the document, kept current. */
export function useSigningState(doc: Y.Doc): SigningState {
  const [state, setState] = useState(() => readSigningState(doc));
  useEffect(() => {
    const root = agreementRoots(doc).signing;
    const update = () => setState(readSigningState(doc));
    root.observe(update);
    update();
    return () => root.unobserve(update);
  }, [doc]);
  return state;
}

/** The SHA-256 of this device's copy of the text, recomputed as it changes (null where Web Crypto is missing). */
function useLocalHash(doc: Y.Doc): string | null {
  const [hash, setHash] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    const update = () =>
      void sha256Hex(canonicalText(doc))
        .then((h) => current && setHash(h))
        .catch(() => current && setHash(null));
    doc.on('afterTransaction', update);
    update();
    return () => {
      current = false;
      doc.off('afterTransaction', update);
    };
  }, [doc]);
  return hash;
}

interface SigningPanelProps {
  doc: Y.Doc;
  api: SigningApi;
  role: Role;
  displayName: string;
}

export function SigningPanel({ doc, api, role, displayName }: SigningPanelProps) {
  const { t } = useI18n();
  const state = useSigningState(doc);
  const localHash = useLocalHash(doc);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [signing, setSigning] = useState(false);
  // A party cannot tell from the state which signatory it is; it knows it has signed this version.
  const [signedVersion, setSignedVersion] = useState<string | null>(null);

  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const partiesDone = state.signatories.filter((s) => s.role !== 'mediator').every((s) => s.signedAt);
  const mySigned = state.signatories.some((s) => s.signedAt && (role === 'mediator' ? s.role === 'mediator' : false));
  const canSign =
    state.status === 'locked' &&
    signedVersion !== state.versionId &&
    (role === 'party' || (role === 'mediator' && partiesDone && !mySigned)) &&
    localHash === state.sha256;

  return (
    <div className="signing" data-testid="signing" data-status={state.status}>
      {state.status === 'open' && state.lastVoided && (
        <p className="agreement__note agreement__note--error" role="alert" data-testid="signing-voided">
          {t(state.lastVoided.reason === 'edited' ? 'signVoidedEdited' : 'signVoidedUnlocked', {
            count: String(state.lastVoided.signatures),
          })}
        </p>
      )}
      {state.status !== 'open' && (
        <div className="signing__lock">
          <p>{t(state.status === 'sealed' ? 'signSealed' : 'signLocked')}</p>
          <p className="signing__hash">
            SHA-256 <code data-testid="signing-hash">{state.sha256}</code>
          </p>
          {localHash !== null && localHash !== state.sha256 && state.status === 'locked' && (
            <p className="agreement__note" role="status">
              {t('signHashPending')}
            </p>
          )}
          <ul className="signing__who" data-testid="signing-signatories">
            {state.signatories.map((s) => (
              <li key={s.key} data-signed={Boolean(s.signedAt)}>
                {s.signedAt ? '✓' : '○'} {t(`signRole_${s.role}`)}
                {s.name && `：${s.name}`}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="signing__actions">
        {role === 'mediator' && state.status === 'open' && (
          <button type="button" disabled={busy} data-testid="signing-lock" onClick={() => void run(() => api.lock())}>
            {t('signLock')}
          </button>
        )}
        {role === 'mediator' && state.status === 'locked' && (
          <button
            type="button"
            disabled={busy}
            data-testid="signing-unlock"
            onClick={() => void run(() => api.unlock())}
          >
            {t('signUnlock')}
          </button>
        )}
        {canSign && !signing && (
          <button type="button" className="primary" data-testid="signing-open" onClick={() => setSigning(true)}>
            {t(role === 'mediator' ? 'signCountersign' : 'signStart')}
          </button>
        )}
        {state.status === 'sealed' && (
          <button type="button" data-testid="signing-download" onClick={() => void run(() => download(api))}>
            {t('signDownload')}
          </button>
        )}
      </div>
      {error && (
        <p className="agreement__note agreement__note--error" role="alert" data-testid="signing-error">
          {error}
        </p>
      )}
      {signing && state.status === 'locked' && state.sha256 && (
        <SignForm
          hash={state.sha256}
          defaultName={displayName}
          busy={busy}
          onCancel={() => setSigning(false)}
          onSign={(typedName, drawing) =>
            void run(async () => {
              await api.sign({ sha256: state.sha256!, typedName, drawing, consent: true });
              setSignedVersion(state.versionId);
              setSigning(false);
            })
          }
        />
      )}
    </div>
  );
}

function SignForm(props: {
  hash: string;
  defaultName: string;
  busy: boolean;
  onCancel(): void;
  onSign(typedName: string, drawing: SignatureDrawing): void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState(props.defaultName);
  const [drawing, setDrawing] = useState<SignatureDrawing>([]);
  const [consent, setConsent] = useState(false);
  const ready = name.trim().length > 0 && drawing.length > 0 && consent && !props.busy;
  return (
    <form
      className="signform"
      data-testid="sign-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (ready) props.onSign(name.trim(), drawing);
      }}
    >
      <p className="signing__hash">
        {t('signYouSign')} <code>{props.hash}</code>
      </p>
      <label className="signform__field">
        {t('signTypedName')}
        <input
          value={name}
          maxLength={100}
          onChange={(e) => setName(e.target.value)}
          data-testid="sign-name"
          autoComplete="name"
        />
      </label>
      <span className="signform__field">{t('signDraw')}</span>
      <SignaturePad onChange={setDrawing} />
      <label className="signform__consent">
        <input
          type="checkbox"
          checked={consent}
          onChange={(e) => setConsent(e.target.checked)}
          data-testid="sign-consent"
        />
        <span>{SIGNING_CONSENT_TEXT}</span>
      </label>
      <div className="signing__actions">
        <button type="button" onClick={props.onCancel}>
          {t('signCancel')}
        </button>
        <button type="submit" className="primary" disabled={!ready} data-testid="sign-submit">
          {t('signSubmit')}
        </button>
      </div>
    </form>
  );
}

async function download(api: SigningApi): Promise<void> {
  const url = URL.createObjectURL(await api.sealedPdf());
  const a = document.createElement('a');
  a.href = url;
  a.download = 'agreement.pdf';
  a.click();
  setTimeout(() => attempt(() => URL.revokeObjectURL(url)), 60_000);
}
