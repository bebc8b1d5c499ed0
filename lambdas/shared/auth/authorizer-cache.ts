import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ENV, optionalEnv } from '../runtime/environment';

/**
 * A revoked key must be refused on the very next request. When API Gateway caches
 * authorizer answers, that cache is flushed for the whole stage (the only granularity it
 * offers); with caching off there is nothing to flush.
 */
export async function flushAuthorizerCache(client?: Pick<APIGatewayClient, 'send'>): Promise<boolean> {
  const ttl = Number(optionalEnv(ENV.authorizerCacheTtlSeconds) ?? '0');
  const restApiId = optionalEnv(ENV.restApiId);
  const stageName = optionalEnv(ENV.restApiStage);
  if (!(ttl > 0) || !restApiId || !stageName) return false;
  const sdk = await import('@aws-sdk/client-api-gateway');
  await (client ?? new sdk.APIGatewayClient({})).send(new sdk.FlushStageAuthorizersCacheCommand({ restApiId, stageName }));
  return true;
}
