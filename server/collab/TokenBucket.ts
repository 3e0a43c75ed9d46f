/**
 * A token bucket that may go into debt: take() always succeeds and says how
 * long the caller should wait before the next take, so a connection over its
 * rate is slowed down (its socket paused) rather than losing messages, which a
 * CRDT cannot afford.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes `amount`; returns the milliseconds until the bucket is out of debt (0 when it is not in debt). */
  take(amount: number): number {
    const now = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.ratePerSecond);
    this.#last = now;
    this.#tokens -= amount;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.ratePerSecond) * 1000;
  }
}
