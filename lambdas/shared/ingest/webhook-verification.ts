import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { TenantCaller } from '../auth/caller';
import { verifyWebhookSignature } from '../auth/webhook-signature';
import { UnauthorizedError } from '../http/errors';
import { headerValue } from '../http/headers';
import { logger } from '../observability/logger';
import { readConfig, WEBHOOK_SECURITY_CONFIG } from '../table/tenant-config';
import { markSignatureUsed } from '../table/used-signatures';

/**
 * When the tenant turned HMAC on, an alert request must be signed, fresh and new. Runs on
 * the raw body before it is parsed: nothing but the tenant's signing config is read, and
 * nothing is written, until the signature holds.
 */
export async function requireValidWebhookSignature({ caller, event, rawBody }: { caller: TenantCaller; event: APIGatewayProxyEvent; rawBody: string }) {
  const security = await readConfig(caller.tenantId, WEBHOOK_SECURITY_CONFIG);
  if (!security.hmac_enabled || !security.secret) return;
  const now = new Date();
  const verdict = verifyWebhookSignature(security.secret, { timestamp: headerValue(event.headers, 'x-timestamp'), signature: headerValue(event.headers, 'x-signature') }, rawBody, now);
  if (!verdict.valid) {
    logger.info('webhook signature refused', { reason: verdict.reason });
    throw new UnauthorizedError('The request signature is missing, stale or wrong.');
  }
  if (!(await markSignatureUsed(caller.tenantId, verdict.signature, now))) {
    logger.info('webhook signature refused', { reason: 'replayed' });
    throw new UnauthorizedError('The request signature was already used.');
  }
}
