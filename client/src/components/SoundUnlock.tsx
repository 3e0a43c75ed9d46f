import { playback, unlockAudio } from '../audioPlayback';
import { useStore } from '../hooks/useStore';
import { useI18n } from '../i18n';
import { SoundIcon } from './icons';

/** Shown only when the browser refused to play the others' sound until a tap. */
export function SoundUnlock() {
  const { blocked } = useStore(playback);
  const { t } = useI18n();
  if (!blocked) return null;
  return (
    <button type="button" className="sound-unlock" data-testid="enable-sound" onClick={unlockAudio}>
      <SoundIcon />
      {t('soundBlocked')}
    </button>
  );
}
