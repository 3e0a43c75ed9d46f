/**
 * The organisation tree, loaded once per sign-in and shared by every screen
 * (it changes only when an administrator adds a unit).
 */
import { orgTree } from './api/records';
import type { OrgTree, Post } from './api/types';
import { useLoad, type Loaded } from './components/ui';

let cached: Promise<OrgTree> | undefined;

export function forgetOrg(): void {
  cached = undefined;
}

export function useOrg(): Loaded<OrgTree> {
  return useLoad(() => {
    cached ??= orgTree().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  }, 'org');
}

/** The name of a post: its grid, its committee, or its township or district. */
export function postName(org: OrgTree | undefined, post: Post | null): string | null {
  if (!org || !post) return null;
  if (post.gridId) return org.grids.find((g) => g.id === post.gridId)?.name ?? null;
  if (post.committeeId) return org.committees.find((c) => c.id === post.committeeId)?.name ?? null;
  if (post.townshipId) return org.townships.find((t) => t.id === post.townshipId)?.name ?? null;
  return org.districts.find((d) => d.id === post.districtId)?.name ?? null;
}

/** The grids a person may register a case in: their own grid, or those their post covers. */
export function gridsFor(org: OrgTree, post: Post | null) {
  if (!post) return org.grids;
  if (post.gridId) return org.grids.filter((g) => g.id === post.gridId);
  if (post.townshipId) return org.grids.filter((g) => g.townshipId === post.townshipId);
  return org.grids.filter((g) => g.districtId === post.districtId);
}
