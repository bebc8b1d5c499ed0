import { APIGatewayClient, FlushStageAuthorizersCacheCommand } from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { flushAuthorizerCache } from '../../../lambdas/shared/auth/authorizer-cache';
import { isTransientDependencyFault } from '../../../lambdas/shared/http/dependency-faults';
import { ENV } from '../../../lambdas/shared/runtime/environment';

const apiGateway = mockClient(APIGatewayClient);
const client = new APIGatewayClient({ region: 'us-east-1' });
const stage = { [ENV.restApiId]: 'a1b2c3d4e5', [ENV.restApiStage]: 'api' };

function withEnvironment(values: Record<string, string>) {
  for (const [name, value] of Object.entries(values)) process.env[name] = value;
}

afterEach(() => {
  apiGateway.reset();
  for (const name of [ENV.restApiId, ENV.restApiStage, ENV.authorizerCacheTtlSeconds]) delete process.env[name];
});

describe('flushAuthorizerCache', () => {
  it('flushes the stage the authorizer caches on, with exactly its API id and stage name', async () => {
    withEnvironment({ ...stage, [ENV.authorizerCacheTtlSeconds]: '300' });
    apiGateway.on(FlushStageAuthorizersCacheCommand).resolves({});
    await expect(flushAuthorizerCache(client)).resolves.toBe(true);
    expect(apiGateway.commandCalls(FlushStageAuthorizersCacheCommand).map((call) => call.args[0].input)).toEqual([
      { restApiId: 'a1b2c3d4e5', stageName: 'api' },
    ]);
  });

  it('calls nothing while API Gateway caches no authorizer answer (TTL 0)', async () => {
    withEnvironment({ ...stage, [ENV.authorizerCacheTtlSeconds]: '0' });
    await expect(flushAuthorizerCache(client)).resolves.toBe(false);
    expect(apiGateway.calls()).toHaveLength(0);
  });

  it('lets a throttled flush surface as a dependency fault: the revoke answers 503, and a retried DELETE flushes again', async () => {
    withEnvironment({ ...stage, [ENV.authorizerCacheTtlSeconds]: '60' });
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
    apiGateway.on(FlushStageAuthorizersCacheCommand).rejects(throttled);
    const failure = await flushAuthorizerCache(client).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'TooManyRequestsException' });
    expect(isTransientDependencyFault(failure)).toBe(true);
  });
});
