/**
 * The ID's front and back and the signer's face, as stills the SFU took of
 * the chosen participant's camera, side by side for the notary to compare.
 * The capture buttons work while the act is at identity (the server refuses
 * them otherwise); each side shows its latest still of this attempt.
 */
import { useState } from 'react';
import { STILL_SIDES, stillUrl, takeStill, type ActStill, type ActView, type StillSide } from '../../api/notary';
import { useStaffI18n, type StaffTextKey } from '../../i18n';
import { ErrorLine } from '../ui';

export const SIDE_TEXT: Record<StillSide, StaffTextKey> = {
  front: 'still_front',
  back: 'still_back',
  face: 'still_face',
};

/** The latest still of each side in this attempt (the view lists them oldest first). */
export function latestStills(view: ActView): Partial<Record<StillSide, ActStill>> {
  const latest: Partial<Record<StillSide, ActStill>> = {};
  for (const still of view.stills) if (still.attempt === view.act.attempt) latest[still.side] = still;
  return latest;
}

/** Whom to take stills of by default: a participant named like a signer, else anyone with a camera. */
function defaultPeer(view: ActView): string {
  const cameras = view.participants.filter((p) => p.camera);
  const names = new Set(view.signers.map((s) => s.name));
  return (cameras.find((p) => p.displayName && names.has(p.displayName)) ?? cameras[0])?.peerId ?? '';
}

export function IdentityStills({ view, refresh }: { view: ActView; refresh: () => Promise<void> }) {
  const { t } = useStaffI18n();
  const [chosen, setChosen] = useState('');
  const [busy, setBusy] = useState<StillSide | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const latest = latestStills(view);
  const canCapture = view.act.state === 'identity';
  const peerId = view.participants.some((p) => p.peerId === chosen && p.camera) ? chosen : defaultPeer(view);

  const capture = async (side: StillSide) => {
    setBusy(side);
    setError(undefined);
    try {
      await takeStill(view.act.id, peerId, side);
      await refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="stack" data-testid="identity-stills">
      {canCapture && (
        <label className="field">
          <span className="field__label">{t('notaryStillOf')}</span>
          {view.participants.length === 0 ? (
            <span className="hint" data-testid="no-participants">
              {t('notaryNoParticipants')}
            </span>
          ) : (
            <select
              className="field__input"
              data-testid="still-peer"
              value={peerId}
              onChange={(e) => setChosen(e.target.value)}
            >
              {view.participants.map((p) => (
                <option key={p.peerId} value={p.peerId} disabled={!p.camera}>
                  {p.displayName ?? p.peerId}
                  {p.camera ? '' : ` (${t('notaryNoCamera')})`}
                </option>
              ))}
            </select>
          )}
        </label>
      )}
      <div className="stills">
        {STILL_SIDES.map((side) => {
          const still = latest[side];
          return (
            <figure key={side} className="still" data-testid={`still-${side}`} data-sha256={still?.sha256 ?? ''}>
              {still ? (
                <img src={stillUrl(view.act.id, still.sha256)} alt={t(SIDE_TEXT[side])} className="still__img" />
              ) : (
                <div className="still__empty">{t('notaryNoStill')}</div>
              )}
              <figcaption>{t(SIDE_TEXT[side])}</figcaption>
              {canCapture && (
                <button
                  type="button"
                  className="button button--secondary"
                  data-testid={`capture-${side}`}
                  disabled={!peerId || busy !== null}
                  onClick={() => void capture(side)}
                >
                  {busy === side ? t('notaryCapturing') : t(still ? 'notaryRecapture' : 'notaryCapture')}
                </button>
              )}
            </figure>
          );
        })}
      </div>
      <ErrorLine error={error} />
    </div>
  );
}
