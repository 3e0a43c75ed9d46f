/**
 * Who is signed in, for the pages behind the staff login (the console and the
 * expert page): checked once on load, and back to signed out, marked expired,
 * whenever a request comes back UNAUTHENTICATED.
 */
import { useEffect, useState } from 'react';
import { ApiError, onUnauthenticated } from './api/http';
import { me as fetchMe } from './api/records';
import type { Me } from './api/types';

export type StaffSession = { state: 'checking' } | { state: 'out'; expired: boolean } | { state: 'in'; me: Me };

export function useStaffSession(): {
  auth: StaffSession;
  /** A failure other than "not signed in" (the server unreachable). */
  error: unknown;
  setAuth(auth: StaffSession): void;
} {
  const [auth, setAuth] = useState<StaffSession>({ state: 'checking' });
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    let current = true;
    fetchMe().then(
      ({ staff }) => current && setAuth({ state: 'in', me: staff }),
      (e: unknown) => {
        if (!current) return;
        if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') setAuth({ state: 'out', expired: false });
        else setError(e);
      },
    );
    const off = onUnauthenticated(() => setAuth((a) => (a.state === 'in' ? { state: 'out', expired: true } : a)));
    return () => {
      current = false;
      off();
    };
  }, []);
  return { auth, error, setAuth };
}
