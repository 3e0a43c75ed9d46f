/**
 * The live video beside the ID stills: the notary's own (moderator) link into
 * the act's room, as the act's API gives it; when it has none (the room's
 * links were made elsewhere), the notary pastes theirs once, kept in this tab
 * only, as it is a credential to the room. A same-origin link is embedded as
 * the room's join page, any other is offered as a link to open.
 */
import { useState } from 'react';
import { useStaffI18n } from '../../i18n';

const keyOf = (actId: string) => `gridroom.notary.room.${actId}`;

function sameOrigin(link: string): boolean {
  try {
    return new URL(link, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

export function RoomPane({
  actId,
  sessionId,
  roomLink,
}: {
  actId: string;
  sessionId: string | null;
  roomLink: string | null;
}) {
  const { t } = useStaffI18n();
  const [pasted, setLink] = useState(() => sessionStorage.getItem(keyOf(actId)) ?? '');
  const link = pasted || roomLink || '';
  const [draft, setDraft] = useState('');
  const save = (value: string) => {
    if (value) sessionStorage.setItem(keyOf(actId), value);
    else sessionStorage.removeItem(keyOf(actId));
    setLink(value);
  };

  return (
    <section className="card room-pane" data-testid="room-pane">
      <h2 className="card__title">{t('notaryLive')}</h2>
      {link && sameOrigin(link) && (
        <iframe
          className="room-pane__frame"
          data-testid="room-frame"
          src={link}
          title={t('notaryLive')}
          allow="camera; microphone; autoplay"
        />
      )}
      {link && (
        <p className="actions">
          <a className="button button--secondary" href={link} target="_blank" rel="noreferrer" data-testid="room-open">
            {t('notaryOpenRoom')}
          </a>
          {pasted && (
            <button type="button" className="button button--quiet" onClick={() => save('')}>
              {t('notaryForgetRoom')}
            </button>
          )}
        </p>
      )}
      {!link && (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (draft.trim()) save(draft.trim());
          }}
        >
          <p className="hint" data-testid="room-missing">
            {sessionId ? t('notaryRoomPaste', { room: sessionId }) : t('notaryNoRoom')}
          </p>
          <label className="field">
            <span className="field__label">{t('notaryRoomLink')}</span>
            <input
              className="field__input"
              data-testid="room-link"
              type="url"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
            />
          </label>
          <button type="submit" className="button button--secondary" data-testid="room-link-save">
            {t('notaryShowRoom')}
          </button>
        </form>
      )}
    </section>
  );
}
