/**
 * The one way the console talks to the server: JSON (or a file) over fetch
 * with the session cookie, and every failure turned into an ApiError carrying the
 * server's code (shared/errors.ts) so screens can say what went wrong.
 */
import { isErrorCode, type ErrorCode } from '../../../../shared/errors';

/** A failed request: the server's code, or NETWORK when no answer came. */
export class ApiError extends Error {
  readonly code: ErrorCode | 'NETWORK';
  readonly status: number;

  constructor(code: ErrorCode | 'NETWORK', message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();

/** Called whenever a request comes back UNAUTHENTICATED (the session expired or was ended elsewhere). */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => void unauthenticatedListeners.delete(listener);
}

export async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const json = body !== undefined && !(body instanceof Blob);
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(json ? { 'content-type': 'application/json' } : {}),
        // A file goes as itself (a PDF to sign), typed by what it is.
        ...(body instanceof Blob ? { 'content-type': body.type || 'application/octet-stream' } : {}),
      },
      body: body === undefined ? undefined : body instanceof Blob ? body : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError('NETWORK', error instanceof Error ? error.message : String(error), 0);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // An HTML error page from a proxy: fall through with no body.
  }
  if (response.ok) return parsed as T;
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = isErrorCode(error?.code) ? error.code : response.status === 404 ? 'NOT_FOUND' : 'INTERNAL';
  if (code === 'UNAUTHENTICATED') for (const listener of [...unauthenticatedListeners]) listener();
  throw new ApiError(code, typeof error?.message === 'string' ? error.message : response.statusText, response.status);
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => request<T>('POST', path, body);

/** `?a=1&b=2` from the defined values, or '' when there are none. */
export function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}
