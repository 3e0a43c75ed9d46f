/**
 * Join-time milestones as performance marks, read by the join benchmark.
 * Each is marked once per page: a rejoin after a network drop must not move them.
 */
export type JoinMilestone =
  | 'click'
  | 'socketConnected'
  | 'routerCapabilities'
  | 'transportsCreated'
  | 'joined'
  | 'iceDtlsConnected'
  | 'firstRemoteFrame';

const marked = new Set<JoinMilestone>();

export function markOnce(milestone: JoinMilestone): void {
  if (marked.has(milestone)) return;
  marked.add(milestone);
  performance.mark(`gridroom:${milestone}`);
}
