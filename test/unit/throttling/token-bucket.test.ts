import { TokenBucket } from '../../../lambdas/shared/throttling/token-bucket';

describe('TokenBucket', () => {
  it('lets a burst through, then refuses with a Retry-After', () => {
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 3 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)].every((result) => result.allowed)).toBe(true);
    expect(bucket.take(0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills at the steady rate, never above the burst', () => {
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 2 }, 0);
    bucket.take(0);
    bucket.take(0);
    expect(bucket.take(50).allowed).toBe(false);
    expect(bucket.take(100).allowed).toBe(true);
    const later = [1, 2, 3].map(() => bucket.take(60_000).allowed);
    expect(later).toEqual([true, true, false]);
  });

  it('applies new limits at once', () => {
    const bucket = new TokenBucket({ ratePerSecond: 100, burst: 100 }, 0);
    bucket.setLimits({ ratePerSecond: 1, burst: 1 });
    expect(bucket.take(0).allowed).toBe(true);
    expect(bucket.take(0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });
});
