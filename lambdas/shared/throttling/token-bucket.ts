/**
 * The token bucket API Gateway's usage plans use (a steady rate with a burst allowance),
 * for the local server, where no API Gateway stands in front. Pure: the clock is passed in.
 */
export interface BucketLimits {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export type TakeResult = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private limits: BucketLimits,
    now: number,
  ) {
    this.tokens = limits.burst;
    this.updatedAt = now;
  }

  /** New limits apply from now on; tokens already earned are kept up to the new burst. */
  setLimits(limits: BucketLimits): void {
    this.limits = limits;
    this.tokens = Math.min(this.tokens, limits.burst);
  }

  take(now: number): TakeResult {
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.limits.burst, this.tokens + elapsedSeconds * this.limits.ratePerSecond);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / this.limits.ratePerSecond)) };
  }
}
