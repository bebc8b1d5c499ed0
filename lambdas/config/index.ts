import { generateWebhookSecret } from '../shared/auth/webhook-signature';
import { correlationConfigSchema, webhookSecurityRequestSchema, type WebhookSecurityConfig } from '../shared/domain/tenant-config';
import { jsonResponse } from '../shared/http/responses';
import { routeGroup, tenantRoute } from '../shared/http/route-handler';
import { actorOf } from '../shared/table/audit';
import { CORRELATION_CONFIG, readConfig, WEBHOOK_SECURITY_CONFIG, writeConfig } from '../shared/table/tenant-config';
import { getAwsIntegration, putAwsIntegration } from './aws-integration-routes';

/** The webhook secret leaves the server in one answer only: the one that made it. */
function webhookSecurityResource(config: WebhookSecurityConfig, newSecret?: string) {
  return { hmac_enabled: config.hmac_enabled, ...(newSecret ? { secret: newSecret } : {}) };
}

export const handler = routeGroup('config', {
  'GET /v1/config/correlation': tenantRoute({
    handle: async ({ caller }) => jsonResponse(200, await readConfig(caller.tenantId, CORRELATION_CONFIG)),
  }),

  'PUT /v1/config/correlation': tenantRoute({
    body: correlationConfigSchema,
    handle: async ({ caller, body }) => {
      await writeConfig(caller.tenantId, CORRELATION_CONFIG, body, {
        actor: actorOf(caller),
        action: 'config.correlation_changed',
        target: 'config/correlation',
        details: { ...body },
      });
      return jsonResponse(200, body);
    },
  }),

  'GET /v1/config/webhook-security': tenantRoute({
    handle: async ({ caller }) => jsonResponse(200, webhookSecurityResource(await readConfig(caller.tenantId, WEBHOOK_SECURITY_CONFIG))),
  }),

  'PUT /v1/config/webhook-security': tenantRoute({
    body: webhookSecurityRequestSchema,
    handle: async ({ caller, body }) => {
      const current = await readConfig(caller.tenantId, WEBHOOK_SECURITY_CONFIG);
      // A secret is made when HMAC turns on or on request; turning HMAC off discards it.
      const makeSecret = body.hmac_enabled && (!current.hmac_enabled || !current.secret || body.rotate_secret);
      const secret = makeSecret ? generateWebhookSecret() : undefined;
      const next: WebhookSecurityConfig = body.hmac_enabled
        ? { hmac_enabled: true, secret: secret ?? current.secret, secret_created_at: secret ? new Date().toISOString() : current.secret_created_at }
        : { hmac_enabled: false };
      await writeConfig(caller.tenantId, WEBHOOK_SECURITY_CONFIG, next, {
        actor: actorOf(caller),
        action: 'config.webhook_security_changed',
        target: 'config/webhook-security',
        details: { hmac_enabled: next.hmac_enabled, secret_rotated: Boolean(secret) },
      });
      return jsonResponse(200, webhookSecurityResource(next, secret));
    },
  }),

  'GET /v1/config/aws-integration': getAwsIntegration,
  'PUT /v1/config/aws-integration': putAwsIntegration,
});
