import { hashKeySecret, isKeyId, issueApiKey } from '../shared/auth/api-key';
import { flushAuthorizerCache } from '../shared/auth/authorizer-cache';
import { apiKeyPepper } from '../shared/auth/server-secrets';
import { initialAwsIntegration } from '../shared/domain/aws-integration';
import { severitySchema } from '../shared/domain/alert-input';
import { ALL_TENANT_SCOPES, createApiKeyRequestSchema, createTenantRequestSchema, tenantLimitsRequestSchema, tenantResource } from '../shared/domain/tenants';
import { decodeCursor, encodeCursor } from '../shared/http/cursor';
import { ConflictError, NotFoundError } from '../shared/http/errors';
import { parseListQuery } from '../shared/http/list-query';
import { emptyResponse, jsonResponse } from '../shared/http/responses';
import { adminRoute, routeGroup } from '../shared/http/route-handler';
import { listAlertsAcrossTenants, listIncidentsAcrossTenants } from '../shared/table/admin-listings';
import { recordAudit, actorOf } from '../shared/table/audit';
import { releaseExternalId, reserveExternalId } from '../shared/table/external-ids';
import { DEFAULT_TENANT_LIMITS, incidentStatusSchema, type ApiKeyItem, type TenantProfileItem } from '../shared/table/items';
import { addApiKey, createTenant, getTenantProfile, listTenants, revokeApiKey, setTenantLimits } from '../shared/table/tenants';
import { provisionTenantUsagePlan, releaseTenantUsagePlan, updateTenantUsagePlan, usagePlanTarget } from '../shared/throttling/usage-plans';
import { isTenantId, type TenantId } from '../shared/table/tenant-id';
import type { ApiKeyScope } from '../shared/auth/scopes';

/** A tenant id in an admin path: anything that is not a valid id names no tenant. */
function tenantIdFrom(pathParameter: (name: string) => string): TenantId {
  const tenantId = pathParameter('tenant_id');
  if (!isTenantId(tenantId)) throw new NotFoundError('tenant');
  return tenantId;
}

interface NewKeyOptions {
  readonly scopes: ApiKeyScope[];
  readonly name?: string;
  readonly expiresInDays?: number;
  readonly usageIdentifier?: string;
}

async function newApiKey(tenantId: TenantId, options: NewKeyOptions, at: string) {
  const { scopes, name, expiresInDays, usageIdentifier } = options;
  const issued = issueApiKey(tenantId);
  const expiresAt = expiresInDays === undefined ? undefined : new Date(Date.parse(at) + expiresInDays * 86_400_000).toISOString();
  const record: ApiKeyItem = {
    key_id: issued.keyId,
    name,
    hash: hashKeySecret(issued, await apiKeyPepper()),
    scopes,
    status: 'active',
    created_at: at,
    expires_at: expiresAt,
    usage_identifier: usageIdentifier,
  };
  return { record, shown: { id: issued.keyId, key: issued.plaintext, scopes, ...(name ? { name } : {}), ...(expiresAt ? { expires_at: expiresAt } : {}) } };
}

const ADMIN_LIST_OWNER = 'admin';

export const handler = routeGroup('admin', {
  'POST /admin/v1/tenants': adminRoute({
    body: createTenantRequestSchema,
    handle: async ({ body, caller }) => {
      if (await getTenantProfile(body.id)) throw new ConflictError('tenant_exists', 'A tenant with this id already exists.');
      const at = new Date().toISOString();
      const target = usagePlanTarget();
      const usagePlan = target ? await provisionTenantUsagePlan(target, body.id, DEFAULT_TENANT_LIMITS) : undefined;
      const profile: TenantProfileItem = { tenant_id: body.id, name: body.name, status: 'active', created_at: at, limits: DEFAULT_TENANT_LIMITS, ...usagePlan };
      const key = await newApiKey(body.id, { scopes: ALL_TENANT_SCOPES, name: 'initial', usageIdentifier: usagePlan?.usage_identifier }, at);
      const externalId = await reserveExternalId(body.id);
      try {
        await createTenant(profile, key.record, initialAwsIntegration(externalId));
      } catch (error) {
        // Another request created the tenant in the meantime, or DynamoDB failed: leave nothing of this attempt behind.
        await releaseExternalId(externalId);
        if (target && usagePlan) await releaseTenantUsagePlan(target, usagePlan);
        throw error;
      }
      await recordAudit(body.id, { actor: actorOf(caller), action: 'tenant.created', target: `tenant/${body.id}` }, at);
      return jsonResponse(201, { tenant: tenantResource(profile), api_key: key.shown });
    },
  }),

  'GET /admin/v1/tenants': adminRoute({
    handle: async ({ event, route }) => {
      const query = parseListQuery(event.queryStringParameters, {});
      const binding = { owner: ADMIN_LIST_OWNER, list: route.path };
      const page = await listTenants(query.limit, await decodeCursor(binding, query.cursor));
      return jsonResponse(200, { items: page.items.map(tenantResource), next_cursor: await encodeCursor(binding, page.lastKey) });
    },
  }),

  'POST /admin/v1/tenants/{tenant_id}/api-keys': adminRoute({
    body: createApiKeyRequestSchema,
    handle: async ({ body, caller, pathParameter }) => {
      const tenantId = tenantIdFrom(pathParameter);
      const profile = await getTenantProfile(tenantId);
      if (!profile) throw new NotFoundError('tenant');
      const at = new Date().toISOString();
      const key = await newApiKey(tenantId, { scopes: body.scopes, name: body.name, expiresInDays: body.expires_in_days, usageIdentifier: profile.usage_identifier }, at);
      await addApiKey(tenantId, key.record);
      await recordAudit(tenantId, { actor: actorOf(caller), action: 'api_key.created', target: `api-key/${key.record.key_id}`, details: { scopes: body.scopes } }, at);
      return jsonResponse(201, key.shown);
    },
  }),

  'DELETE /admin/v1/tenants/{tenant_id}/api-keys/{key_id}': adminRoute({
    handle: async ({ caller, pathParameter }) => {
      const tenantId = tenantIdFrom(pathParameter);
      const keyId = pathParameter('key_id');
      if (!isKeyId(keyId)) throw new NotFoundError('API key');
      const at = new Date().toISOString();
      await revokeApiKey(tenantId, keyId, at);
      await recordAudit(tenantId, { actor: actorOf(caller), action: 'api_key.revoked', target: `api-key/${keyId}` }, at);
      // Last: should the flush fail (503), the revocation stands and is audited, and a retried DELETE flushes again.
      await flushAuthorizerCache();
      return emptyResponse(204);
    },
  }),

  'PUT /admin/v1/tenants/{tenant_id}/limits': adminRoute({
    body: tenantLimitsRequestSchema,
    handle: async ({ body, caller, pathParameter }) => {
      const tenantId = tenantIdFrom(pathParameter);
      const profile = await setTenantLimits(tenantId, body);
      if (profile.usage_plan_id) await updateTenantUsagePlan(profile.usage_plan_id, body);
      await recordAudit(tenantId, { actor: actorOf(caller), action: 'tenant.limits_changed', target: `tenant/${tenantId}`, details: body });
      return jsonResponse(200, tenantResource(profile));
    },
  }),

  'GET /admin/v1/incidents': adminRoute({
    handle: async ({ event, route }) => {
      const query = parseListQuery(event.queryStringParameters, { status: incidentStatusSchema });
      const binding = { owner: ADMIN_LIST_OWNER, list: `${route.path}?status=${query.status}` };
      const page = await listIncidentsAcrossTenants(query.status, query.limit, await decodeCursor(binding, query.cursor), new Date());
      return jsonResponse(200, { items: page.items, next_cursor: await encodeCursor(binding, page.lastKey) });
    },
  }),

  'GET /admin/v1/alerts': adminRoute({
    handle: async ({ event, route }) => {
      const query = parseListQuery(event.queryStringParameters, { severity: severitySchema });
      const binding = { owner: ADMIN_LIST_OWNER, list: `${route.path}?severity=${query.severity}` };
      const page = await listAlertsAcrossTenants(query.severity, query.limit, await decodeCursor(binding, query.cursor));
      return jsonResponse(200, { items: page.items, next_cursor: await encodeCursor(binding, page.lastKey) });
    },
  }),
});

