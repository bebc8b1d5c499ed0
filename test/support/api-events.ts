import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { hashKeySecret, issueApiKey } from '../../lambdas/shared/auth/api-key';
import { adminAuthorizerContext, tenantAuthorizerContext } from '../../lambdas/shared/auth/caller';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../lambdas/shared/auth/scopes';
import { apiKeyPepper } from '../../lambdas/shared/auth/server-secrets';
import { initialAwsIntegration, generateExternalId } from '../../lambdas/shared/domain/aws-integration';
import { createTenant } from '../../lambdas/shared/table/tenants';
import type { TenantId } from '../../lambdas/shared/table/tenant-id';
import { ENV } from '../../lambdas/shared/runtime/environment';
import { noteHandlerCall, rememberApiKey, rememberSecretsInAnswer } from './secret-patterns';

/**
 * Builds API Gateway proxy events as API Gateway does after an authorizer allowed the
 * request, so route handlers can be driven directly (without the HTTP stand-in).
 */
export interface EventOptions {
  readonly tenantId?: TenantId;
  readonly scopes?: readonly ApiKeyScope[];
  readonly admin?: string;
  readonly pathParameters?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  /** Send `body` as given (a string), not JSON-encoded. */
  readonly rawBody?: string;
}

export function apiEvent(method: string, resource: string, options: EventOptions = {}): APIGatewayProxyEvent {
  const path = Object.entries(options.pathParameters ?? {}).reduce((built, [name, value]) => built.replace(`{${name}}`, encodeURIComponent(value)), resource);
  const authorizer = options.admin
    ? adminAuthorizerContext({ subject: options.admin })
    : options.tenantId
      ? tenantAuthorizerContext({ tenantId: options.tenantId, keyId: '0123456789abcdef', scopes: options.scopes ?? API_KEY_SCOPES })
      : undefined;
  const body = options.rawBody ?? (options.body === undefined ? null : JSON.stringify(options.body));
  return {
    resource,
    path,
    httpMethod: method,
    headers: { 'content-type': 'application/json', ...options.headers },
    multiValueHeaders: {},
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: { requestId: 'test', resourcePath: resource, httpMethod: method, authorizer } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

export const testContext = { functionName: 'test', awsRequestId: 'test', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

export type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export async function call(handler: Handler, event: APIGatewayProxyEvent) {
  noteHandlerCall();
  const result = await handler(event, testContext);
  const body = result.body ? (JSON.parse(result.body) as Record<string, any>) : undefined;
  // A key or webhook secret an answer shows once is a secret the log check must look for.
  rememberSecretsInAnswer(body);
  return { status: result.statusCode, headers: result.headers ?? {}, body };
}

/** Gives the process a pepper, as `npm start` does. */
export function usePepperForTests(): void {
  process.env[ENV.localApiKeyPepper] ??= Buffer.from('test-pepper-test-pepper-test-pepper').toString('base64');
}

/** A tenant written straight through the repository, with one key of the given scopes. */
export async function seedTenant(tenantId: TenantId, scopes: readonly ApiKeyScope[] = API_KEY_SCOPES) {
  usePepperForTests();
  const key = issueApiKey(tenantId);
  rememberApiKey(key.plaintext);
  const at = new Date().toISOString();
  await createTenant(
    { tenant_id: tenantId, name: tenantId, status: 'active', created_at: at },
    { key_id: key.keyId, hash: hashKeySecret(key, await apiKeyPepper()), scopes: [...scopes], status: 'active', created_at: at },
    initialAwsIntegration(generateExternalId()),
  );
  return key;
}
