/**
 * Who someone is in a room, as carried by their join link. Permissions are data
 * derived from the role in one place, never string comparisons spread around.
 */
import { z } from 'zod';

export const roleSchema = z.enum(['mediator', 'party', 'expert', 'observer']);
export type Role = z.infer<typeof roleSchema>;

export interface RoomPermissions {
  /** May send microphone and camera. */
  canPublish: boolean;
  /** May share a screen. */
  canShareScreen: boolean;
  /** May admit, move and remove others, and open caucuses. */
  canModerate: boolean;
  /** Waits in the lobby until admitted, where the room has a waiting room. */
  waitsInLobby: boolean;
}

const permissions: Record<Role, RoomPermissions> = {
  mediator: { canPublish: true, canShareScreen: true, canModerate: true, waitsInLobby: false },
  party: { canPublish: true, canShareScreen: true, canModerate: false, waitsInLobby: true },
  expert: { canPublish: true, canShareScreen: true, canModerate: false, waitsInLobby: true },
  observer: { canPublish: false, canShareScreen: false, canModerate: false, waitsInLobby: true },
};

export function permissionsOf(role: Role): RoomPermissions {
  return permissions[role];
}
