/**
 * The meeting itself: status banners, the tiles, the others' sound, the
 * control bar, and for a mediator the list of participants. A waiting party
 * sees only themself and a calm "please wait".
 */
import { lazy, Suspense, useState } from 'react';
import { useStore } from '../hooks/useStore';
import { useI18n } from '../i18n';
import { canCaptureScreen, type LocalMedia } from '../rtc/LocalMedia';
import type { RoomClient, RoomSnapshot } from '../rtc/RoomClient';
import { ChatPanel } from './ChatPanel';
import { ConsentDialog, ExpertConsentDialog } from './ConsentDialog';
import { ControlBar } from './ControlBar';
import { LanguageToggle } from './LanguageToggle';
import { RemoteAudio } from './RemoteAudio';
import { RosterPanel } from './RosterPanel';
import { SoundUnlock } from './SoundUnlock';
import { Stage, type ScreenShare } from './Stage';
import type { TileProps } from './Tile';
import { WaitedFor } from './WaitedFor';

// The editor (Tiptap, Yjs) loads only when the agreement is first opened: joining stays light on a phone.
const AgreementPanel = lazy(() => import('./AgreementPanel').then((m) => ({ default: m.AgreementPanel })));

export function RoomView({ client, local }: { client: RoomClient; local: LocalMedia }) {
  const room = useStore(client.store);
  const media = useStore(local.store);
  const { t } = useI18n();
  const [rosterOpen, setRosterOpen] = useState(false);
  const [chatOpen, setChatOpen] = useState(false);
  const [chatSeen, setChatSeen] = useState(0);
  const [agreementOpen, setAgreementOpen] = useState(false);

  const tiles: TileProps[] = room.peers.map((peer) => {
    const camera = peer.tracks.find((tr) => tr.source === 'camera' && !tr.paused);
    const mic = peer.tracks.find((tr) => tr.source === 'mic');
    return {
      peerId: peer.peerId,
      name: peer.displayName,
      isSelf: false,
      video: camera?.track ?? null,
      micMuted: !mic || mic.paused,
      speaking: room.activeSpeakerPeerId === peer.peerId,
    };
  });
  tiles.push({
    peerId: room.self?.peerId ?? '',
    name: client.displayName,
    isSelf: true,
    video: room.cameraOn ? media.cameraTrack : null,
    micMuted: !room.micOn,
    speaking: Boolean(room.self) && room.activeSpeakerPeerId === room.self?.peerId,
  });
  const screens: ScreenShare[] = room.peers.flatMap((peer) =>
    peer.tracks
      .filter((tr) => tr.source === 'screen' && !tr.paused)
      .map((tr) => ({ key: tr.consumerId, name: peer.displayName, track: tr.track })),
  );
  const audio = room.peers.flatMap((peer) => peer.tracks.filter((tr) => tr.kind === 'audio'));
  const moderator = room.permissions.canModerate && room.roster !== null;
  const waiting = room.roster?.filter((e) => e.space === 'lobby').length ?? 0;
  const inLobby = room.space === 'lobby';
  const askConsent = room.status === 'joined' && room.recording && !room.consented;
  const canChat = room.status === 'joined' && !inLobby;
  const unread = chatOpen ? 0 : Math.max(0, room.chat.length - chatSeen);
  const toggleChat = () => {
    setChatSeen(room.chat.length);
    setChatOpen(!chatOpen);
    setAgreementOpen(false);
  };
  // The session's case has an agreement; the waiting room does not show it (as it has no chat).
  // It stays open while the room reconnects: its own connection recovers by itself.
  // An expert opens the agreement once every party has agreed to their taking part.
  const expertWaiting = room.self?.role === 'expert' && room.expertConsent?.cleared !== true;
  const canAgree = room.caseId !== null && room.self !== null && !inLobby && room.status !== 'left' && !expertWaiting;
  const toggleAgreement = () => {
    if (!agreementOpen) setChatOpen(false);
    setAgreementOpen(!agreementOpen);
  };

  return (
    <main className={`room${moderator ? ' room--moderator' : ''}`}>
      <div className="room__body">
        <div className="room__top">
          <Banner room={room} />
          {canChat && (
            <button
              type="button"
              className="chat-toggle"
              data-testid="chat-toggle"
              aria-label={chatOpen ? t('chatClose') : t('chatOpen')}
              onClick={toggleChat}
            >
              {t('chat')}
              {unread > 0 && <span className="chat-toggle__badge">{unread}</span>}
            </button>
          )}
          {canAgree && (
            <button
              type="button"
              className="chat-toggle agreement-toggle"
              data-testid="agreement-toggle"
              aria-label={agreementOpen ? t('agreementClose') : t('agreementOpen')}
              aria-pressed={agreementOpen}
              onClick={toggleAgreement}
            >
              {t('agreement')}
            </button>
          )}
          <LanguageToggle />
        </div>
        {room.sharingScreen && (
          <p className="banner banner--info room__note" role="status">
            {t('youAreSharing')}
          </p>
        )}
        {moderator && waiting > 0 && !rosterOpen && (
          <button type="button" className="banner banner--warn room__waiting" onClick={() => setRosterOpen(true)}>
            {t('waitingCount', { count: String(waiting) })}
          </button>
        )}
        <SoundUnlock />
        {inLobby && (
          <section className="lobby" data-testid="lobby" role="status">
            {room.title && <p className="lobby__title">{room.title}</p>}
            <h1>{t('lobbyTitle')}</h1>
            <p>{t('lobbyBody')}</p>
            {room.spaceSince && <WaitedFor since={room.spaceSince} />}
          </section>
        )}
        <Stage tiles={tiles} screens={screens} />
        {audio.map((tr) => (
          <RemoteAudio key={tr.consumerId} track={tr.track} />
        ))}
        <ControlBar
          micOn={room.micOn}
          cameraOn={room.cameraOn}
          sharingScreen={room.sharingScreen}
          canPublish={room.permissions.canPublish}
          canShareScreen={room.permissions.canShareScreen && canCaptureScreen() && !inLobby}
          participants={moderator ? { waiting, onClick: () => setRosterOpen(!rosterOpen) } : null}
          onMic={() => void client.setMicOn(!room.micOn)}
          onCamera={() => void client.setCameraOn(!room.cameraOn)}
          onScreen={() => void (room.sharingScreen ? client.stopScreenShare() : client.startScreenShare())}
          onLeave={() => void client.leave()}
        />
      </div>
      {moderator && room.roster && (
        <div className={`room__roster${rosterOpen ? ' room__roster--open' : ''}`}>
          <RosterPanel
            roster={room.roster}
            selfId={room.self?.peerId ?? null}
            mySpace={room.space}
            recording={room.recording}
            moderation={client.moderation}
            onClose={() => setRosterOpen(false)}
          />
        </div>
      )}
      {canChat && chatOpen && (
        <div className="room__chat">
          <ChatPanel
            messages={room.chat}
            selfId={room.self?.peerId ?? null}
            onSend={(text) => client.sendChat(text)}
            onClose={toggleChat}
          />
        </div>
      )}
      {canAgree && agreementOpen && room.caseId && room.self && (
        <div className="room__agreement">
          <Suspense fallback={null}>
            <AgreementPanel
              origin={client.origin}
              token={client.token}
              caseId={room.caseId}
              role={room.self.role}
              displayName={client.displayName}
              onClose={() => setAgreementOpen(false)}
            />
          </Suspense>
        </div>
      )}
      {askConsent && (
        <ConsentDialog onAgree={() => void client.consentToRecording()} onDecline={() => void client.leave()} />
      )}
      {!askConsent && room.expertsAsking[0] && (
        <ExpertConsentDialog
          expert={room.expertsAsking[0]}
          onAnswer={(consent) => void client.answerExpert(room.expertsAsking[0]!.peerId, consent)}
        />
      )}
    </main>
  );
}

function Banner({ room }: { room: RoomSnapshot }) {
  const { t } = useI18n();
  if (room.status === 'reconnecting' || (room.status === 'joined' && room.mediaInterrupted)) {
    return (
      <p className="banner banner--warn" data-testid="reconnecting" role="status">
        <span className="spinner" aria-hidden="true" />
        {t('reconnecting')}
      </p>
    );
  }
  if (room.status === 'connecting') {
    return (
      <p className="banner banner--info" role="status">
        <span className="spinner" aria-hidden="true" />
        {room.slow ? t('slowNetwork') : t('connecting')}
      </p>
    );
  }
  if (room.self?.role === 'expert' && room.space !== 'lobby' && room.expertConsent && !room.expertConsent.cleared) {
    return (
      <p className="banner banner--info" role="status" data-testid="expert-awaiting-consent">
        {room.expertConsent.declinedBy.length > 0
          ? t('expertDeclinedBy', { names: room.expertConsent.declinedBy.join('、') })
          : t('expertAwaitingConsent')}
      </p>
    );
  }
  if (room.space?.startsWith('caucus-')) {
    return (
      <p className="banner banner--caucus" role="status">
        {t('inCaucus')}
      </p>
    );
  }
  if (room.space === 'main' && room.peers.length === 0) {
    return (
      <p className="banner banner--quiet" role="status">
        {t('waiting')}
      </p>
    );
  }
  return <span className="room__top-spacer" />;
}
