import middy from '@middy/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { API_ROUTES, routeKey } from '../../lib/api-routes';
import { keySecretMatches, parseApiKey } from '../shared/auth/api-key';
import { allowStage, unauthorized } from '../shared/auth/authorizer-policy';
import { tenantAuthorizerContext } from '../shared/auth/caller';
import { presentedApiKey } from '../shared/auth/presented-api-key';
import { apiKeyPepper } from '../shared/auth/server-secrets';
import { logger, requestLogging } from '../shared/observability/logger';
import { getApiKey } from '../shared/table/tenants';

/** Routes where `?api_key=` is honoured; everywhere else a query key is ignored. */
const QUERY_KEY_ROUTES = new Set(API_ROUTES.filter((route) => route.acceptsQueryApiKey).map(routeKey));

/**
 * Layer 1: API key → tenant. The key names its tenant; the key record is read through
 * THAT tenant's scoped session, so a forged prefix can only ever read the forger's own
 * claim, and the tenant the handler sees is the key's and nothing else.
 */
export async function authorizeApiKey(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const acceptQueryKey = QUERY_KEY_ROUTES.has(`${event.httpMethod} ${event.resource}`);
  const presented = presentedApiKey(event, acceptQueryKey);
  const key = presented ? parseApiKey(presented) : undefined;
  if (!key) throw unauthorized();

  const [record, pepper] = await Promise.all([getApiKey(key.tenantId, key.keyId), apiKeyPepper()]);
  const refusal = !record
    ? 'unknown key'
    : record.status !== 'active'
      ? record.status
      : record.expires_at !== undefined && Date.parse(record.expires_at) <= Date.now()
        ? 'expired'
        : !keySecretMatches(key, record.hash, pepper)
          ? 'wrong secret'
          : undefined;
  if (refusal || !record) {
    logger.info('api key refused', { tenant_id: key.tenantId, key_id: key.keyId, reason: refusal });
    throw unauthorized();
  }
  return allowStage(
    event.methodArn,
    `${key.tenantId}/${key.keyId}`,
    tenantAuthorizerContext({ tenantId: key.tenantId, keyId: key.keyId, scopes: record.scopes }),
    // API Gateway meters and throttles this tenant's usage plan by it (apiKeySource AUTHORIZER).
    record.usage_identifier,
  );
}

export const handler = middy<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>()
  .use(requestLogging())
  .handler(authorizeApiKey);
