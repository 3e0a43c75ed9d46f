/**
 * What the page learns from its own address: the join token (the last path
 * segment of /join/<token>), the test/benchmark shortcut `?autojoin=1&name=X`,
 * and a hint of the role the link carries, so a watch-only link is never
 * asked for a camera. The hint is only a courtesy: the server decides.
 */
import { permissionsOf, roleSchema, type RoomPermissions } from '../../shared/roles';
import { attempt } from './attempt';

export interface Launch {
  token: string | null;
  autojoin: boolean;
  /** A name given in the address (autojoin); wins over the remembered one. */
  name: string | null;
  permissions: RoomPermissions;
}

const NAME_KEY = 'gridroom:displayName';
const MAX_NAME_LENGTH = 60;

export function readLaunch(loc: Location = location): Launch {
  const segment = loc.pathname.split('/').filter(Boolean).at(-1);
  const token = segment ? safeDecode(segment) : null;
  const query = new URLSearchParams(loc.search);
  return {
    token,
    autojoin: query.get('autojoin') === '1',
    name: query.get('name'),
    permissions: linkPermissions(token),
  };
}

/** The role claim of the (unverified) JWT; anything unreadable is treated as a link that may publish. */
function linkPermissions(token: string | null): RoomPermissions {
  const payload = token?.split('.')[1];
  const claims = payload ? attempt(() => JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')))) : null;
  const role = roleSchema.safeParse((claims as { role?: unknown } | null)?.role);
  return permissionsOf(role.success ? role.data : 'party');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export type NameProblem = 'nameMissing' | 'nameTooLong' | 'nameInvalid';

/** The same rules as the server's, so the person hears about a bad name before joining. */
export function checkName(raw: string): NameProblem | null {
  const name = raw.trim();
  if (!name) return 'nameMissing';
  if ([...name].length > MAX_NAME_LENGTH) return 'nameTooLong';
  if (/[\p{Cc}\p{Cf}]/u.test(name)) return 'nameInvalid';
  return null;
}

export function rememberedName(): string {
  return attempt(() => localStorage.getItem(NAME_KEY)) ?? '';
}

export function rememberName(name: string): void {
  attempt(() => localStorage.setItem(NAME_KEY, name.trim()));
}
