/** What the UI reads about the room: one immutable snapshot, replaced on every change. */
import type { CaseId, PeerId } from '../../../shared/ids';
import type { ChatMessage, Notifications, PeerInfo, RosterEntry, SpaceId } from '../../../shared/protocol';
import type { RoomPermissions } from '../../../shared/roles';
import type { ClientErrorCode } from '../signaling/errors';
import type { PeerView } from './RemoteMedia';

export type RoomStatus = 'connecting' | 'joined' | 'reconnecting' | 'left' | 'error';

export type RemovedReason = Notifications['session:removed']['reason'];

export interface RoomSnapshot {
  status: RoomStatus;
  /** Set with status 'error'. */
  error: { code: ClientErrorCode; message: string } | null;
  /** Set with status 'left' when the server ended our participation (the mediator, or the link opened elsewhere). */
  removed: RemovedReason | null;
  /** Ourselves as the others see us; null until the first join. */
  self: PeerInfo | null;
  /** The session's title, shown to the mediator and in the waiting room. */
  title: string;
  /** The case this session belongs to: its agreement can be opened; null for an ad-hoc room. */
  caseId: CaseId | null;
  /** Where we are: the waiting room, the joint room or a caucus; null until joined. */
  space: SpaceId | null;
  /** When we entered that space (ISO): the waiting room shows how long we have waited. */
  spaceSince: string | null;
  /** The chat of our space (none in the waiting room), oldest first. */
  chat: readonly ChatMessage[];
  permissions: RoomPermissions;
  /** The others in our space. */
  peers: readonly PeerView[];
  activeSpeakerPeerId: PeerId | null;
  /** The session is recorded, and whether we have agreed; media waits for the agreement. */
  recording: boolean;
  consented: boolean;
  /** Parties: experts asking to take part, to agree to or decline (media with them waits for a yes). */
  expertsAsking: readonly PeerInfo[];
  /** Experts: whether every party has agreed to us (the agreement opens then), and who declined. */
  expertConsent: { cleared: boolean; declinedBy: readonly string[] } | null;
  /** Everyone in the session, for a mediator; null for everybody else. */
  roster: readonly RosterEntry[] | null;
  /** What the person asked for: the buttons show it at once, whatever the network is doing. */
  micOn: boolean;
  cameraOn: boolean;
  sharingScreen: boolean;
  /** The first connection has failed a few times: the network is poor or the server down. */
  slow: boolean;
  /** Joined, but media is not flowing right now (the network went away; ICE is being restarted). */
  mediaInterrupted: boolean;
}

export function initialSnapshot(opts: {
  permissions: RoomPermissions;
  micOn: boolean;
  cameraOn: boolean;
}): RoomSnapshot {
  return {
    status: 'connecting',
    error: null,
    removed: null,
    self: null,
    title: '',
    caseId: null,
    space: null,
    spaceSince: null,
    chat: [],
    permissions: opts.permissions,
    peers: [],
    activeSpeakerPeerId: null,
    recording: false,
    consented: true,
    expertsAsking: [],
    expertConsent: null,
    roster: null,
    micOn: opts.micOn && opts.permissions.canPublish,
    cameraOn: opts.cameraOn && opts.permissions.canPublish,
    sharingScreen: false,
    slow: false,
    mediaInterrupted: false,
  };
}
