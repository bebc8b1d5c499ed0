import { awsIntegrationRequestSchema, awsIntegrationResource, replacedAwsIntegration, type AwsIntegrationConfig } from '../shared/domain/aws-integration';
import { NotFoundError } from '../shared/http/errors';
import { jsonResponse } from '../shared/http/responses';
import { tenantRoute } from '../shared/http/route-handler';
import { readAwsIntegration, writeAwsIntegration } from '../shared/runbooks/integration-config';
import { actorOf } from '../shared/table/audit';
import type { TenantId } from '../shared/table/tenant-id';

/** `GET`/`PUT /v1/config/aws-integration`, plugged into the config route group by `lambdas/config/index.ts`. */

/** Every tenant is created with this item (it carries the External ID); one without it predates layer 4. */
async function storedIntegration(tenantId: TenantId): Promise<AwsIntegrationConfig> {
  const stored = await readAwsIntegration(tenantId);
  if (!stored) throw new NotFoundError('AWS integration');
  return stored;
}

export const getAwsIntegration = tenantRoute({
  handle: async ({ caller }) => jsonResponse(200, awsIntegrationResource(await storedIntegration(caller.tenantId))),
});

export const putAwsIntegration = tenantRoute({
  body: awsIntegrationRequestSchema,
  handle: async ({ caller, body }) => {
    // The External ID is the MSP's: kept from the stored item, whatever the request said.
    const next = replacedAwsIntegration(await storedIntegration(caller.tenantId), body);
    const { external_id: _externalId, ...details } = awsIntegrationResource(next);
    await writeAwsIntegration(caller.tenantId, next, {
      actor: actorOf(caller),
      action: 'config.aws_integration_changed',
      target: 'config/aws-integration',
      details,
    });
    return jsonResponse(200, awsIntegrationResource(next));
  },
});
