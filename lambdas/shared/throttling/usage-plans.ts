import { randomBytes } from 'node:crypto';
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ENV, optionalEnv } from '../runtime/environment';
import type { TenantLimits } from '../table/items';
import type { TenantId } from '../table/tenant-id';

/**
 * Per-tenant throttling in AWS: one API Gateway usage plan per tenant, bound to the stage,
 * with one API Gateway key whose value the API key authorizer returns as
 * `usageIdentifierKey` (the API's key source is AUTHORIZER). API Gateway then throttles
 * each tenant on its own: one tenant's storm gets 429s while the others are served.
 * The usage key is an identifier for metering, not a credential: callers never see it.
 */
export interface TenantUsagePlan {
  readonly usage_plan_id: string;
  /** The API Gateway key's own id (what DeleteApiKey takes); `usage_identifier` is its value. */
  readonly usage_key_id: string;
  readonly usage_identifier: string;
}

/** The API Gateway SDK, loaded on first use: only tenant creation and limit changes need it. */
async function apiGateway(client: Pick<APIGatewayClient, 'send'> | undefined) {
  const sdk = await import('@aws-sdk/client-api-gateway');
  return { sdk, api: client ?? new sdk.APIGatewayClient({}) };
}

interface StageTarget {
  readonly restApiId: string;
  readonly stage: string;
}

/** The stage this function meters, or undefined where there is no API Gateway (npm start). */
export function usagePlanTarget(): StageTarget | undefined {
  const restApiId = optionalEnv(ENV.restApiId);
  const stage = optionalEnv(ENV.restApiStage);
  return restApiId && stage ? { restApiId, stage } : undefined;
}

export async function provisionTenantUsagePlan(
  target: StageTarget,
  tenantId: TenantId,
  limits: TenantLimits,
  client?: Pick<APIGatewayClient, 'send'>,
): Promise<TenantUsagePlan> {
  const { api, sdk } = await apiGateway(client);
  const usageIdentifier = randomBytes(30).toString('base64url');
  const apiKey = await api.send(
    new sdk.CreateApiKeyCommand({ name: `tenant-${tenantId}`, value: usageIdentifier, enabled: true, description: `Alert Whisperer usage metering for tenant ${tenantId}` }),
  );
  if (!apiKey.id) throw new Error('CreateApiKey returned no id');
  let usagePlanId: string | undefined;
  try {
    const plan = await api.send(
      new sdk.CreateUsagePlanCommand({
        name: `tenant-${tenantId}`,
        apiStages: [{ apiId: target.restApiId, stage: target.stage }],
        throttle: { rateLimit: limits.requests_per_second, burstLimit: limits.burst },
      }),
    );
    if (!plan.id) throw new Error('CreateUsagePlan returned no id');
    usagePlanId = plan.id;
    await api.send(new sdk.CreateUsagePlanKeyCommand({ usagePlanId, keyId: apiKey.id, keyType: 'API_KEY' }));
    return { usage_plan_id: usagePlanId, usage_key_id: apiKey.id, usage_identifier: usageIdentifier };
  } catch (error) {
    await releaseTenantUsagePlan(target, { usage_plan_id: usagePlanId, usage_key_id: apiKey.id }, api);
    throw error;
  }
}

/**
 * Takes back what `provisionTenantUsagePlan` made (a tenant that was not created after all),
 * best effort: the plan leaves its stage first, which API Gateway requires before deleting it.
 */
export async function releaseTenantUsagePlan(target: StageTarget, plan: Partial<TenantUsagePlan>, client?: Pick<APIGatewayClient, 'send'>): Promise<void> {
  const { api, sdk } = await apiGateway(client);
  const bestEffort = async (send: () => Promise<unknown>) => {
    try {
      await send();
    } catch {
      // Nothing to do but go on: what is left costs a usage plan slot, never access.
    }
  };
  if (plan.usage_plan_id) {
    const usagePlanId = plan.usage_plan_id;
    const removeStage = { op: 'remove' as const, path: '/apiStages', value: `${target.restApiId}:${target.stage}` };
    await bestEffort(() => api.send(new sdk.UpdateUsagePlanCommand({ usagePlanId, patchOperations: [removeStage] })));
    await bestEffort(() => api.send(new sdk.DeleteUsagePlanCommand({ usagePlanId })));
  }
  const keyId = plan.usage_key_id;
  if (keyId) await bestEffort(() => api.send(new sdk.DeleteApiKeyCommand({ apiKey: keyId })));
}

export async function updateTenantUsagePlan(usagePlanId: string, limits: TenantLimits, client?: Pick<APIGatewayClient, 'send'>): Promise<void> {
  const { api, sdk } = await apiGateway(client);
  await api.send(
    new sdk.UpdateUsagePlanCommand({
      usagePlanId,
      patchOperations: [
        { op: 'replace', path: '/throttle/rateLimit', value: String(limits.requests_per_second) },
        { op: 'replace', path: '/throttle/burstLimit', value: String(limits.burst) },
      ],
    }),
  );
}
