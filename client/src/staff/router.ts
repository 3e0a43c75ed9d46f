/**
 * The console's places, read from the path so a link to a case can be
 * pasted into a chat and opened by a colleague. History is the browser's own.
 */
import { useSyncExternalStore } from 'react';
import { Store } from '../store';

export type Route =
  | { name: 'cases' }
  | { name: 'register' }
  | { name: 'case'; id: string }
  | { name: 'dashboard' }
  | { name: 'experts' }
  | { name: 'notary' }
  | { name: 'notaryNew' }
  | { name: 'notaryAct'; id: string };

export function parseRoute(pathname: string): Route {
  const rest = pathname.replace(/^\/staff\/?/, '').replace(/\/$/, '');
  if (rest === 'cases/new') return { name: 'register' };
  if (rest === 'dashboard') return { name: 'dashboard' };
  if (rest === 'experts') return { name: 'experts' };
  if (rest === 'notary') return { name: 'notary' };
  if (rest === 'notary/new') return { name: 'notaryNew' };
  const act = /^notary\/acts\/([A-Za-z0-9-]+)$/.exec(rest);
  if (act?.[1]) return { name: 'notaryAct', id: act[1] };
  const match = /^cases\/([A-Za-z0-9-]+)$/.exec(rest);
  if (match?.[1]) return { name: 'case', id: match[1] };
  return { name: 'cases' };
}

export function pathOf(route: Route): string {
  switch (route.name) {
    case 'cases':
      return '/staff';
    case 'register':
      return '/staff/cases/new';
    case 'case':
      return `/staff/cases/${encodeURIComponent(route.id)}`;
    case 'dashboard':
      return '/staff/dashboard';
    case 'experts':
      return '/staff/experts';
    case 'notary':
      return '/staff/notary';
    case 'notaryNew':
      return '/staff/notary/new';
    case 'notaryAct':
      return `/staff/notary/acts/${encodeURIComponent(route.id)}`;
  }
}

const routeStore = new Store<{ route: Route }>({ route: parseRoute(location.pathname) });
window.addEventListener('popstate', () => routeStore.set({ route: parseRoute(location.pathname) }));

export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const path = pathOf(route);
  if (options.replace) history.replaceState(null, '', path);
  else if (path !== location.pathname) history.pushState(null, '', path);
  routeStore.set({ route });
  window.scrollTo(0, 0);
}

export function useRoute(): Route {
  return useSyncExternalStore(routeStore.subscribe, routeStore.get).route;
}
