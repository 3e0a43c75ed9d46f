/** One participant: their camera (or initials), name, mute state and a ring while they speak. */
import { useI18n } from '../i18n';
import { Avatar } from './Avatar';
import { MicOffIcon } from './icons';
import { VideoView } from './VideoView';

export interface TileProps {
  peerId: string;
  name: string;
  isSelf: boolean;
  video: MediaStreamTrack | null;
  micMuted: boolean;
  speaking: boolean;
  /** A small tile (ourselves in the corner): the label says only "me". */
  compact?: boolean;
}

export function Tile({ peerId, name, isSelf, video, micMuted, compact = false, ...rest }: TileProps) {
  const { t } = useI18n();
  const label = isSelf ? (compact ? t('you') : `${name}${t('youSuffix')}`) : name;
  // The SFU keeps naming the last speaker until someone else speaks; a muted person is not speaking.
  const speaking = rest.speaking && !micMuted;
  return (
    <div
      className={`tile${speaking ? ' tile--speaking' : ''}`}
      data-testid="tile"
      data-peer-id={peerId}
      data-self={isSelf ? 'true' : undefined}
      data-speaking={speaking ? 'true' : undefined}
      role="group"
      aria-label={[label, micMuted && t('muted'), speaking && t('speaking')].filter(Boolean).join(', ')}
    >
      {video ? <VideoView track={video} mirrored={isSelf} remote={!isSelf} /> : <Avatar name={name} />}
      <div className="tile__label">
        {micMuted && (
          <span className="tile__muted" title={t('muted')}>
            <MicOffIcon />
          </span>
        )}
        <span className="tile__name">{label}</span>
      </div>
    </div>
  );
}

export function ScreenTile({ name, track }: { name: string; track: MediaStreamTrack }) {
  const { t } = useI18n();
  return (
    <div className="tile tile--screen" data-testid="screen-tile" role="group" aria-label={t('screenOf', { name })}>
      <VideoView track={track} fit="contain" remote />
      <div className="tile__label">
        <span className="tile__name">{t('screenOf', { name })}</span>
      </div>
    </div>
  );
}
