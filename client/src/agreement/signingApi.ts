/**
 * The signing requests of the room page (server/signing/routes.ts): the join
 * link's token as the bearer and this browser's device id, which the server
 * checks against the link and records with the signature.
 */
import type { AgreementAccess } from '../../../shared/agreement';
import type { CaseId } from '../../../shared/ids';
import type { SignRequest, SigningState } from '../../../shared/signing';
import { deviceId } from '../signaling/deviceId';

export class SigningError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class SigningApi {
  readonly #base: string;
  readonly #token: string;

  constructor(origin: string, token: string, caseId: CaseId) {
    this.#base = `${origin}/api/agreement/${caseId}`;
    this.#token = token;
  }

  /** What this link may do to the agreement: the case's party setting applied to its role. */
  async access(): Promise<AgreementAccess> {
    const res = await fetch(`${this.#base}/access`, { headers: this.#headers() });
    if (!res.ok) throw await errorOf(res);
    return ((await res.json()) as { access: AgreementAccess }).access;
  }

  lock(): Promise<SigningState> {
    return this.#call('lock');
  }

  unlock(): Promise<SigningState> {
    return this.#call('unlock');
  }

  sign(request: SignRequest): Promise<SigningState> {
    return this.#call('sign', request);
  }

  /** The sealed PDF as a blob (a plain link could not carry the headers). */
  async sealedPdf(): Promise<Blob> {
    const res = await fetch(`${this.#base}/sealed.pdf`, { headers: this.#headers() });
    if (!res.ok) throw await errorOf(res);
    return res.blob();
  }

  async #call(action: string, body?: unknown): Promise<SigningState> {
    const res = await fetch(`${this.#base}/${action}`, {
      method: 'POST',
      headers: { ...this.#headers(), 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    if (!res.ok) throw await errorOf(res);
    return ((await res.json()) as { signing: SigningState }).signing;
  }

  #headers(): Record<string, string> {
    return { authorization: `Bearer ${this.#token}`, 'x-device-id': deviceId() };
  }
}

async function errorOf(res: Response): Promise<SigningError> {
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  return new SigningError(body.error?.code ?? 'INTERNAL', body.error?.message ?? `HTTP ${res.status}`);
}
