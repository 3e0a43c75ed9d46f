/**
 * The mediator's list of everyone in the session, by space: who is waiting
 * (and for how long), who is in the joint room, who is in which private talk,
 * with the buttons that move them.
 */
import type { PeerId } from '../../../shared/ids';
import type { RosterEntry, SpaceId } from '../../../shared/protocol';
import { useI18n, type Translate } from '../i18n';
import type { Moderation } from '../rtc/Moderation';

interface Props {
  roster: readonly RosterEntry[];
  selfId: PeerId | null;
  mySpace: SpaceId | null;
  recording: boolean;
  moderation: Moderation;
  onClose?: () => void;
}

export function spaceName(t: Translate, space: SpaceId): string {
  if (space === 'lobby') return t('space_lobby');
  if (space === 'main') return t('space_main');
  return t('space_caucus', { n: space.slice('caucus-'.length) });
}

export function RosterPanel({ roster, selfId, mySpace, recording, moderation, onClose }: Props) {
  const { t } = useI18n();
  const spaces = [...new Set<SpaceId>(['lobby', 'main', ...roster.map((e) => e.space)])];
  const hasCaucus = spaces.some((s) => s.startsWith('caucus-'));
  // Failures show up as the roster not changing; the server's answer needs no dialog of its own.
  const act = (fn: () => Promise<unknown>) => () => void fn().catch(() => undefined);

  return (
    <aside className="roster" aria-label={t('participants')} data-testid="roster">
      <div className="roster__head">
        <h2>{t('participants')}</h2>
        {onClose && (
          <button type="button" className="roster__close" onClick={onClose}>
            {t('close')}
          </button>
        )}
      </div>
      {hasCaucus && (
        <button
          type="button"
          className="button button--primary roster__end"
          data-testid="end-caucuses"
          onClick={act(() => moderation.endCaucuses())}
        >
          {t('endCaucuses')}
        </button>
      )}
      {spaces.map((space) => {
        const entries = roster.filter((e) => e.space === space);
        if (space === 'lobby' && entries.length === 0) return null;
        return (
          <section key={space} className={`roster__space roster__space--${space.split('-')[0]}`}>
            <h3>
              {spaceName(t, space)} ({entries.length})
              {space !== mySpace && space !== 'lobby' && selfId && (
                <button
                  type="button"
                  className="roster__small"
                  data-testid="join-space"
                  onClick={act(() => moderation.move(selfId, space))}
                >
                  {t('joinSpace')}
                </button>
              )}
            </h3>
            <ul>
              {entries.map((entry) => (
                <Entry
                  key={entry.peerId}
                  entry={entry}
                  isSelf={entry.peerId === selfId}
                  recording={recording}
                  moderation={moderation}
                  act={act}
                />
              ))}
            </ul>
          </section>
        );
      })}
    </aside>
  );
}

interface EntryProps {
  entry: RosterEntry;
  isSelf: boolean;
  recording: boolean;
  moderation: Moderation;
  act: (fn: () => Promise<unknown>) => () => void;
}

function Entry({ entry, isSelf, recording, moderation, act }: EntryProps) {
  const { t } = useI18n();
  const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(entry.since)) / 60_000));
  const { peerId, space } = entry;
  const remove = () => {
    if (window.confirm(t('removeConfirm', { name: entry.displayName })))
      void moderation.remove(peerId).catch(() => undefined);
  };
  return (
    <li className="roster-entry" data-testid="roster-entry" data-peer-id={peerId} data-space={space}>
      <div className="roster-entry__who">
        <span className="roster-entry__name">
          {entry.displayName}
          {isSelf && t('youSuffix')}
        </span>
        <span className="roster-entry__meta">
          {t(`role_${entry.role}`)}
          {space === 'lobby' && ` · ${t('waitingFor', { minutes: String(minutes) })}`}
          {recording && !entry.consented && ` · ${t('notConsented')}`}
          {entry.expertConsent && space !== 'lobby' && (
            <span data-testid="roster-expert-consent" data-cleared={entry.expertConsent.cleared}>
              {' · '}
              {entry.expertConsent.declinedBy.length > 0
                ? t('expertDeclinedShort', { names: entry.expertConsent.declinedBy.join('、') })
                : t(entry.expertConsent.cleared ? 'expertAgreed' : 'expertPending')}
            </span>
          )}
        </span>
      </div>
      {!isSelf && (
        <div className="roster-entry__actions">
          {space === 'lobby' && (
            <button
              type="button"
              className="chip chip--primary"
              data-testid="admit"
              onClick={act(() => moderation.admit(peerId))}
            >
              {t('admit')}
            </button>
          )}
          {space === 'main' && (
            <button
              type="button"
              className="chip"
              data-testid="caucus"
              onClick={act(() => moderation.openCaucus([peerId]))}
            >
              {t('caucus')}
            </button>
          )}
          {space.startsWith('caucus-') && (
            <button
              type="button"
              className="chip"
              data-testid="to-main"
              onClick={act(() => moderation.move(peerId, 'main'))}
            >
              {t('toMain')}
            </button>
          )}
          {space !== 'lobby' && (
            <button
              type="button"
              className="chip"
              data-testid="send-to-lobby"
              onClick={act(() => moderation.sendToLobby(peerId))}
            >
              {t('sendToLobby')}
            </button>
          )}
          <button type="button" className="chip chip--danger" data-testid="remove" onClick={remove}>
            {t('remove')}
          </button>
        </div>
      )}
    </li>
  );
}
