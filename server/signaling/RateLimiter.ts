/**
 * A token bucket per connection: a burst for the join sequence, then a steady
 * rate that no honest client reaches. A flooding client is told RATE_LIMITED
 * and the others are not slowed down.
 */
export class RateLimiter {
  #tokens: number;
  #last = performance.now();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
  ) {
    this.#tokens = burst;
  }

  take(): boolean {
    const now = performance.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.perSecond);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
