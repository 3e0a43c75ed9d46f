/**
 * The random id this browser keeps, sent with the link in the handshake. With
 * it the server knows a reconnecting party is the same person and puts them
 * back where they were (the joint room, a caucus) instead of the waiting room.
 */
import { attempt } from '../attempt';

const KEY = 'gridroom:deviceId';
const VALID = /^[A-Za-z0-9_-]{8,64}$/;

let cached: string | null = null;

export function deviceId(): string {
  if (cached) return cached;
  const saved = attempt(() => localStorage.getItem(KEY));
  if (saved && VALID.test(saved)) return (cached = saved);
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  cached = btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  // Without storage (some private modes) the id still holds for this page, so its own reconnections return.
  const id = cached;
  attempt(() => localStorage.setItem(KEY, id));
  return id;
}
