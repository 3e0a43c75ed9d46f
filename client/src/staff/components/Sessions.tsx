/**
 * The video sessions of a case: schedule one (a link per party and one for
 * the mediator come back, with the SMS text for each party), then copy,
 * send, revoke and open the links. A server without the sessions API answers
 * 404 and the card says so instead of failing.
 */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/http';
import {
  addLink,
  createSession,
  listSessions,
  revokeLink,
  type LinkView,
  type SessionWithLinks,
} from '../api/sessions';
import type { CaseView, Me } from '../api/types';
import { useStaffI18n, type StaffTextKey } from '../i18n';
import { localNow } from './CaseForms';
import { Card } from './CaseDetail';
import { LinkRow } from './LinkRow';
import { ErrorLine, Loading, useLoad } from './ui';

/**
 * SMS texts come only in the answer that created the links; kept for as long
 * as this page is open so the mediator can still copy them after moving around.
 */
const smsTexts = new Map<string, string>();

export function Sessions({ c, me, onActivity }: { c: CaseView; me: Me; onActivity: () => void }) {
  const { t } = useStaffI18n();
  const loaded = useLoad(() => listSessions(c.id).then((r) => r.sessions), c.id);
  const [creating, setCreating] = useState(false);
  const maySchedule = (c.permissions['session:schedule'] ?? c.permissions['case:mediate']) && c.status !== 'closed';
  const mayRevoke = c.permissions['session:revokeLink'] ?? c.permissions['case:mediate'];
  const unavailable = loaded.error instanceof ApiError && loaded.error.status === 404;
  const sessions = loaded.data ?? [];

  const replaceLink = (sessionId: string, link: LinkView, add = false) => {
    onActivity();
    loaded.setData(
      sessions.map((s) =>
        s.session.id !== sessionId
          ? s
          : {
              ...s,
              links: add ? [...s.links, link] : s.links.map((l) => (l.linkId === link.linkId ? link : l)),
            },
      ),
    );
  };

  return (
    <Card title={t('sessionsTitle')} testId="sessions">
      {unavailable ? (
        <p className="hint" data-testid="sessions-unavailable">
          {t('sessionsUnavailable')}
        </p>
      ) : (
        <>
          <ErrorLine error={loaded.error} onRetry={loaded.reload} />
          {loaded.loading && !loaded.data && <Loading />}
          {loaded.data && sessions.length === 0 && !creating && <p className="hint">{t('noSessions')}</p>}
          {sessions.map((s) => (
            <SessionBlock
              key={s.session.id}
              item={s}
              me={me}
              mayAdd={maySchedule}
              mayRevoke={mayRevoke}
              onLink={(link, add) => replaceLink(s.session.id, link, add)}
            />
          ))}
          {maySchedule && loaded.data && (
            <ScheduleForm
              c={c}
              open={creating}
              onOpen={setCreating}
              onCreated={(created) => {
                loaded.setData([created, ...sessions]);
                setCreating(false);
                onActivity();
              }}
            />
          )}
        </>
      )}
    </Card>
  );
}

function ScheduleForm({
  c,
  open,
  onOpen,
  onCreated,
}: {
  c: CaseView;
  open: boolean;
  onOpen: (open: boolean) => void;
  onCreated: (s: SessionWithLinks) => void;
}) {
  const { t } = useStaffI18n();
  const [when, setWhen] = useState(() => localNow(30));
  const [title, setTitle] = useState('');
  const [waitingRoom, setWaitingRoom] = useState(true);
  const [singleDevice, setSingleDevice] = useState(true);
  const [ttl, setTtl] = useState('72');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  if (!open) {
    return (
      <button
        type="button"
        className="button button--primary"
        data-testid="schedule-session"
        onClick={() => onOpen(true)}
      >
        + {t('scheduleTitle')}
      </button>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const at = new Date(when);
    if (Number.isNaN(at.getTime())) return;
    setBusy(true);
    setError(undefined);
    try {
      const hours = Number(ttl);
      const created = await createSession(c.id, {
        scheduledAt: at.toISOString(),
        ...(title.trim() ? { title: title.trim() } : {}),
        waitingRoom,
        singleDevice,
        ...(Number.isInteger(hours) && hours > 0 ? { linkTtlHours: hours } : {}),
      });
      for (const sms of created.smsTexts) smsTexts.set(sms.linkId, sms.text);
      onCreated({ session: created.session, links: created.links });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack schedule" onSubmit={submit} data-testid="schedule-form">
      <h3>{t('scheduleTitle')}</h3>
      <div className="grid2">
        <label className="field">
          <span className="field__label">{t('scheduledAt')}</span>
          <input
            className="field__input"
            type="datetime-local"
            data-testid="session-when"
            required
            value={when}
            onChange={(e) => setWhen(e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">{t('linkTtl')}</span>
          <input
            className="field__input"
            type="number"
            min={1}
            max={720}
            inputMode="numeric"
            value={ttl}
            onChange={(e) => setTtl(e.target.value)}
          />
        </label>
      </div>
      <label className="field">
        <span className="field__label">{t('sessionTitle')}</span>
        <input className="field__input" maxLength={120} value={title} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <label className="check">
        <input
          type="checkbox"
          data-testid="session-waiting-room"
          checked={waitingRoom}
          onChange={(e) => setWaitingRoom(e.target.checked)}
        />
        {t('waitingRoom')}
      </label>
      <label className="check">
        <input
          type="checkbox"
          data-testid="session-single-device"
          checked={singleDevice}
          onChange={(e) => setSingleDevice(e.target.checked)}
        />
        {t('singleDevice')}
      </label>
      <ErrorLine error={error} />
      <div className="actions">
        <button type="submit" className="button button--primary" data-testid="schedule-submit" disabled={busy}>
          {busy ? t('scheduling') : t('scheduleSubmit')}
        </button>
        <button type="button" className="button button--quiet" onClick={() => onOpen(false)}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}

function SessionBlock({
  item,
  me,
  mayAdd,
  mayRevoke,
  onLink,
}: {
  item: SessionWithLinks;
  me: Me;
  mayAdd: boolean;
  mayRevoke: boolean;
  onLink: (link: LinkView, add?: boolean) => void;
}) {
  const { t, dateTime } = useStaffI18n();
  const { session, links } = item;
  return (
    <div className="session" data-testid="session" data-session-id={session.id}>
      <h3 className="session__title">
        {session.scheduledAt ? dateTime(session.scheduledAt) : ''}
        {session.title ? ` · ${session.title}` : ''}
        {session.waitingRoom && <span className="tag">{t('withWaitingRoom')}</span>}
        {session.recording && <span className="tag tag--warn">{t('withRecording')}</span>}
      </h3>
      <table className="links">
        <thead>
          <tr>
            <th>{t('colPerson')}</th>
            <th>{t('colRole')}</th>
            <th>{t('colExpires')}</th>
            <th>{t('colLinkStatus')}</th>
            <th>
              <span className="visually-hidden">{t('copyLink')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {links.map((link) => (
            <LinkRow
              key={link.linkId}
              link={link}
              sms={smsTexts.get(link.linkId)}
              mayRevoke={mayRevoke}
              onRevoke={async () => onLink((await revokeLink(session.id, link.linkId)).link)}
            />
          ))}
        </tbody>
      </table>
      {mayAdd && <AddLinkForm sessionId={session.id} me={me} onAdded={(link) => onLink(link, true)} />}
    </div>
  );
}

function AddLinkForm({ sessionId, me, onAdded }: { sessionId: string; me: Me; onAdded: (link: LinkView) => void }) {
  const { t } = useStaffI18n();
  const [role, setRole] = useState<'expert' | 'observer' | 'mediator'>('expert');
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!label.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      onAdded((await addLink(sessionId, { role, label: label.trim() })).link);
      setLabel('');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="add-link" onSubmit={submit} data-testid="add-link-form">
      <h4>{t('addLinkTitle')}</h4>
      <div className="add-link__row">
        <label className="field">
          <span className="field__label">{t('linkRole')}</span>
          <select
            className="field__input"
            data-testid="add-link-role"
            value={role}
            onChange={(e) => setRole(e.target.value as typeof role)}
          >
            {(['expert', 'observer', 'mediator'] as const).map((r) => (
              <option key={r} value={r}>
                {t(`linkRole_${r}` as StaffTextKey)}
              </option>
            ))}
          </select>
        </label>
        <label className="field add-link__label">
          <span className="field__label">{t('linkLabel')}</span>
          <input
            className="field__input"
            data-testid="add-link-label"
            maxLength={100}
            placeholder={role === 'mediator' ? me.displayName : undefined}
            value={label}
            onChange={(e) => setLabel(e.target.value)}
          />
        </label>
        <button
          type="submit"
          className="button button--secondary"
          data-testid="add-link-submit"
          disabled={busy || !label.trim()}
        >
          {t('addLinkSubmit')}
        </button>
      </div>
      <ErrorLine error={error} />
    </form>
  );
}
