/**
 * External identity proofing (credential analysis of the ID images,
 * knowledge-based questions) as a pluggable interface. None ships with
 * Gridroom: a deployment registers the providers it has a contract with, and
 * the act records whatever they answered. A provider that throws or times out
 * is stored as `error`, never as a pass, and the notary decides with that in
 * view; nothing here ever invents a result.
 */
import type { ActSignerId, NotaryActId } from '../../shared/ids';
import type { ProviderCheckKind, ProviderOutcome } from '../../shared/notary';
import type { ProviderCheck } from './NotaryStore';

export interface ProviderRequest {
  actId: NotaryActId;
  signerId: ActSignerId;
  attempt: number;
  signer: { name: string; address: string };
  /** The stills captured from the live video, for credential analysis. */
  images: Partial<Record<'front' | 'back' | 'face', Buffer>>;
}

export interface ProviderAnswer {
  outcome: Exclude<ProviderOutcome, 'error'>;
  /** The provider's transaction reference. */
  reference: string | null;
  /** What the provider returned, stored as it is: it must hold no secret and no ID number. */
  details: Record<string, unknown>;
}

export interface IdentityProvider {
  /** Stable name, stored with every result (e.g. the vendor and product). */
  readonly name: string;
  readonly kind: ProviderCheckKind;
  check(request: ProviderRequest, signal: AbortSignal): Promise<ProviderAnswer>;
}

export class IdentityProviders {
  readonly #providers = new Map<string, IdentityProvider>();

  constructor(
    providers: readonly IdentityProvider[] = [],
    private readonly timeoutMs = 30_000,
  ) {
    for (const provider of providers) this.register(provider);
  }

  register(provider: IdentityProvider): void {
    if (this.#providers.has(provider.name)) throw new Error(`identity provider ${provider.name} registered twice`);
    this.#providers.set(provider.name, provider);
  }

  /** What the notary console may offer. */
  list(): { name: string; kind: ProviderCheckKind }[] {
    return [...this.#providers.values()].map(({ name, kind }) => ({ name, kind }));
  }

  has(name: string): boolean {
    return this.#providers.has(name);
  }

  /** Runs one provider; whatever happens, the answer is a check ready to be stored. */
  async run(name: string, request: ProviderRequest): Promise<ProviderCheck> {
    const provider = this.#providers.get(name);
    if (!provider) throw new Error(`no identity provider named ${name}`);
    const base = { signerId: request.signerId, attempt: request.attempt, provider: name, kind: provider.kind };
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const answer = await provider.check(request, signal);
      return { ...base, ...answer, at: new Date() };
    } catch (error) {
      const why = signal.aborted ? `timed out after ${this.timeoutMs} ms` : String((error as Error)?.message ?? error);
      return { ...base, outcome: 'error', reference: null, details: { error: why.slice(0, 500) }, at: new Date() };
    }
  }
}
