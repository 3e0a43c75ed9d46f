/**
 * The page's screens: pre-join, the room, "you left" and errors. The room
 * client is created on the join tap (or at once with ?autojoin=1) and replaced
 * by a new one on "join again".
 */
import { useEffect, useState } from 'react';
import { ErrorView, LeftView } from './components/Notice';
import { PreJoin, type JoinChoices } from './components/PreJoin';
import { RoomView } from './components/RoomView';
import { useStore } from './hooks/useStore';
import { currentLang, translator } from './i18n';
import { readLaunch, rememberedName, type Launch } from './launch';
import { LocalMedia } from './rtc/LocalMedia';
import { markOnce } from './rtc/marks';
import { RoomClient } from './rtc/RoomClient';
import { exposePageError, exposeRoomClient } from './debugHooks';

const launch: Launch = readLaunch();
let autojoined = false;

export function App() {
  const [local] = useState(() => new LocalMedia());
  const [client, setClient] = useState<RoomClient | null>(null);
  const [choices, setChoices] = useState<JoinChoices | null>(null);

  const join = (next: JoinChoices) => {
    if (!launch.token) return;
    markOnce('click');
    const room = new RoomClient({
      origin: location.origin,
      token: launch.token,
      displayName: next.name,
      local,
      micOn: next.micOn,
      cameraOn: next.cameraOn,
      permissions: launch.permissions,
      localReady: local.settled(),
    });
    exposeRoomClient(room);
    setChoices(next);
    setClient(room);
    room.start();
  };

  const rejoin = () => {
    if (!choices) return;
    // Leaving let the camera and microphone go; open again what was on.
    void local.open({ mic: choices.micOn, camera: choices.cameraOn });
    join(choices);
  };

  useEffect(() => {
    // Once per page, even when React runs effects twice in development.
    if (!launch.token || !launch.autojoin || autojoined) return;
    autojoined = true;
    const canPublish = launch.permissions.canPublish;
    if (canPublish) void local.open({ mic: true, camera: true });
    const name = launch.name?.trim() || rememberedName() || translator(currentLang())('guest');
    join({ name, micOn: canPublish, cameraOn: canPublish });
  });

  if (!launch.token) {
    exposePageError();
    return <ErrorView code="INVALID_LINK" />;
  }
  if (!client) {
    if (launch.autojoin) return null;
    return <PreJoin local={local} permissions={launch.permissions} initialName={launch.name} onJoin={join} />;
  }
  return <InRoom client={client} local={local} onRejoin={rejoin} />;
}

function InRoom({ client, local, onRejoin }: { client: RoomClient; local: LocalMedia; onRejoin: () => void }) {
  const { status, error, removed } = useStore(client.store);
  if (status === 'left') return <LeftView removed={removed} onRejoin={onRejoin} />;
  if (status === 'error' && error) {
    // A bad or expired link stays bad however often it is tried; the page says whom to ask instead.
    const linkProblem = error.code === 'INVALID_LINK' || error.code === 'LINK_EXPIRED' || error.code === 'NOT_FOUND';
    return <ErrorView code={error.code} onRetry={linkProblem ? undefined : () => location.reload()} />;
  }
  return <RoomView client={client} local={local} />;
}
