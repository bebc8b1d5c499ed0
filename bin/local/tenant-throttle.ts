import type { ApiRoute } from '../../lib/api-routes';
import { ExpiringLruCache } from '../../lambdas/shared/cache/bounded-lru';
import { TooManyRequestsError } from '../../lambdas/shared/http/errors';
import { DEFAULT_TENANT_LIMITS, type TenantLimits } from '../../lambdas/shared/table/items';
import { getTenantProfile } from '../../lambdas/shared/table/tenants';
import { isTenantId } from '../../lambdas/shared/table/tenant-id';
import { TokenBucket } from '../../lambdas/shared/throttling/token-bucket';

/**
 * Per-tenant throttling for `npm start`, standing in for the per-tenant API Gateway usage
 * plans of the stack: one token bucket per tenant, sized by the tenant's limits
 * (`PUT /admin/v1/tenants/{id}/limits`), so one tenant's storm leaves the others served.
 */
export function tenantThrottle(now: () => number = Date.now) {
  const buckets = new Map<string, TokenBucket>();
  // Limits are re-read every few seconds, as a usage plan change takes a moment to apply in AWS too.
  const limitsCache = new ExpiringLruCache<string, TenantLimits>(10_000, 5_000, now);

  async function limitsOf(tenantId: string): Promise<TenantLimits> {
    const cached = limitsCache.get(tenantId);
    if (cached) return cached;
    const limits = (isTenantId(tenantId) ? (await getTenantProfile(tenantId))?.limits : undefined) ?? DEFAULT_TENANT_LIMITS;
    limitsCache.set(tenantId, limits);
    return limits;
  }

  return async (route: ApiRoute, authorizerContext: Record<string, string>): Promise<TooManyRequestsError | undefined> => {
    if (route.auth !== 'api-key') return undefined;
    const tenantId = authorizerContext.tenantId;
    const limits = await limitsOf(tenantId);
    const bucketLimits = { ratePerSecond: limits.requests_per_second, burst: limits.burst };
    let bucket = buckets.get(tenantId);
    if (!bucket) buckets.set(tenantId, (bucket = new TokenBucket(bucketLimits, now())));
    else bucket.setLimits(bucketLimits);
    const taken = bucket.take(now());
    return taken.allowed ? undefined : new TooManyRequestsError(taken.retryAfterSeconds);
  };
}
