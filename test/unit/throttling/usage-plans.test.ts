import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanCommand,
  UpdateUsagePlanCommand,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { provisionTenantUsagePlan, releaseTenantUsagePlan, updateTenantUsagePlan } from '../../../lambdas/shared/throttling/usage-plans';

const apiGateway = mockClient(APIGatewayClient);
beforeEach(() => apiGateway.reset());

describe('per-tenant usage plans', () => {
  it('creates a key, a plan with the limits on the stage, and binds them', async () => {
    apiGateway.on(CreateApiKeyCommand).resolves({ id: 'key-1' });
    apiGateway.on(CreateUsagePlanCommand).resolves({ id: 'plan-1' });
    apiGateway.on(CreateUsagePlanKeyCommand).resolves({});
    const plan = await provisionTenantUsagePlan({ restApiId: 'api1', stage: 'prod' }, 'acme', { requests_per_second: 50, burst: 200 }, new APIGatewayClient({}));

    const keyInput = apiGateway.commandCalls(CreateApiKeyCommand)[0].args[0].input;
    expect(keyInput).toMatchObject({ name: 'tenant-acme', enabled: true, value: plan.usage_identifier });
    expect(plan.usage_identifier.length).toBeGreaterThanOrEqual(20);
    expect(apiGateway.commandCalls(CreateUsagePlanCommand)[0].args[0].input).toEqual({
      name: 'tenant-acme',
      apiStages: [{ apiId: 'api1', stage: 'prod' }],
      throttle: { rateLimit: 50, burstLimit: 200 },
    });
    expect(apiGateway.commandCalls(CreateUsagePlanKeyCommand)[0].args[0].input).toEqual({ usagePlanId: 'plan-1', keyId: 'key-1', keyType: 'API_KEY' });
    expect(plan).toMatchObject({ usage_plan_id: 'plan-1', usage_key_id: 'key-1' });
  });

  it('takes the key and the plan back when binding them fails, and lets the failure surface', async () => {
    apiGateway.on(CreateApiKeyCommand).resolves({ id: 'key-1' });
    apiGateway.on(CreateUsagePlanCommand).resolves({ id: 'plan-1' });
    apiGateway.on(CreateUsagePlanKeyCommand).rejects(Object.assign(new Error('Too many requests'), { name: 'TooManyRequestsException' }));
    await expect(
      provisionTenantUsagePlan({ restApiId: 'api1', stage: 'prod' }, 'acme', { requests_per_second: 50, burst: 200 }, new APIGatewayClient({})),
    ).rejects.toMatchObject({ name: 'TooManyRequestsException' });
    expect(apiGateway.commandCalls(UpdateUsagePlanCommand)[0].args[0].input).toEqual({
      usagePlanId: 'plan-1',
      patchOperations: [{ op: 'remove', path: '/apiStages', value: 'api1:prod' }],
    });
    expect(apiGateway.commandCalls(DeleteUsagePlanCommand).map((call) => call.args[0].input)).toEqual([{ usagePlanId: 'plan-1' }]);
    expect(apiGateway.commandCalls(DeleteApiKeyCommand).map((call) => call.args[0].input)).toEqual([{ apiKey: 'key-1' }]);
  });

  it('releases what it can and never throws: a tenant that was not created must not leave its plan behind', async () => {
    apiGateway.on(UpdateUsagePlanCommand).rejects(new Error('gone'));
    apiGateway.on(DeleteUsagePlanCommand).resolves({});
    apiGateway.on(DeleteApiKeyCommand).resolves({});
    await expect(releaseTenantUsagePlan({ restApiId: 'api1', stage: 'prod' }, { usage_plan_id: 'plan-9', usage_key_id: 'key-9' }, new APIGatewayClient({}))).resolves.toBeUndefined();
    expect(apiGateway.commandCalls(DeleteUsagePlanCommand)).toHaveLength(1);
    expect(apiGateway.commandCalls(DeleteApiKeyCommand).map((call) => call.args[0].input)).toEqual([{ apiKey: 'key-9' }]);
  });

  it('changes a plan’s throttle in place', async () => {
    apiGateway.on(UpdateUsagePlanCommand).resolves({});
    await updateTenantUsagePlan('plan-1', { requests_per_second: 5, burst: 10 }, new APIGatewayClient({}));
    expect(apiGateway.commandCalls(UpdateUsagePlanCommand)[0].args[0].input).toEqual({
      usagePlanId: 'plan-1',
      patchOperations: [
        { op: 'replace', path: '/throttle/rateLimit', value: '5' },
        { op: 'replace', path: '/throttle/burstLimit', value: '10' },
      ],
    });
  });
});
