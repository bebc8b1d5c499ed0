import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { API_ROUTES, type ApiRoute, type RouteAuth, type RouteFunction } from '../../lib/api-routes';
import { UNAUTHORIZED } from '../../lambdas/shared/auth/authorizer-policy';
import { NotFoundError, PayloadTooLargeError, ServiceUnavailableError, UnauthorizedError, type HttpError } from '../../lambdas/shared/http/errors';
import { errorResponse, jsonResponse } from '../../lambdas/shared/http/responses';

/**
 * A small stand-in for API Gateway: it matches the route table, runs the route's
 * authorizer, builds the same proxy event API Gateway would, calls the same handler, and
 * writes its answer. Only what API Gateway itself does lives here.
 */

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type AuthorizerHandler = (event: APIGatewayRequestAuthorizerEvent, context: Context) => Promise<APIGatewayAuthorizerResult>;

export interface LocalGatewayProps {
  readonly functions: Readonly<Record<RouteFunction, ProxyHandler>>;
  readonly authorizers: Readonly<Record<Exclude<RouteAuth, 'none'>, AuthorizerHandler>>;
  /** Routes that exist only locally (`/local/...`), answered before the route table. */
  readonly localRoutes?: Readonly<Record<string, () => Promise<APIGatewayProxyResult>>>;
  /** Runs after authorization and before the handler: the per-tenant throttle. */
  readonly beforeHandler?: (route: ApiRoute, authorizerContext: Record<string, string>) => Promise<HttpError | undefined>;
}

/** API Gateway's own payload ceiling; the handlers enforce API.md's 1 MiB themselves. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
const LOCAL_REGION_ACCOUNT = 'us-east-1:000000000000';

interface RouteMatch {
  readonly route: ApiRoute;
  readonly pathParameters: Record<string, string> | null;
}

function compile(route: ApiRoute) {
  const names: string[] = [];
  const pattern = route.path
    .split('/')
    .map((segment) => {
      const parameter = segment.match(/^\{(\w+)\}$/);
      if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(parameter[1]);
      return '([^/]+)';
    })
    .join('/');
  return { route, names, regex: new RegExp(`^${pattern}$`) };
}

const COMPILED = API_ROUTES.map(compile);

/** Matches the raw (still percent-encoded) path, then decodes parameters as API Gateway does. */
export function matchRoute(method: string, rawPath: string): RouteMatch | 'method-not-allowed' | undefined {
  let pathMatched = false;
  for (const { route, names, regex } of COMPILED) {
    const match = rawPath.match(regex);
    if (!match) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    try {
      const pathParameters = names.length ? Object.fromEntries(names.map((name, index) => [name, decodeURIComponent(match[index + 1])])) : null;
      return { route, pathParameters };
    } catch {
      return undefined;
    }
  }
  return pathMatched ? 'method-not-allowed' : undefined;
}

function lambdaContext(functionName: string): Context {
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > GATEWAY_MAX_BODY_BYTES) throw new PayloadTooLargeError(GATEWAY_MAX_BODY_BYTES);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function firstValues(multi: Record<string, string[]>): Record<string, string> | null {
  const entries = Object.entries(multi);
  return entries.length ? Object.fromEntries(entries.map(([key, values]) => [key, values[values.length - 1]])) : null;
}

function write(response: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  response.writeHead(result.statusCode, headers);
  response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

export function createLocalGateway(props: LocalGatewayProps) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    try {
      write(response, await handle(request));
    } catch (error) {
      write(response, errorResponse(error instanceof PayloadTooLargeError ? error : new ServiceUnavailableError(1, error)));
    }
  };

  async function handle(request: IncomingMessage): Promise<APIGatewayProxyResult> {
    const method = (request.method ?? 'GET').toUpperCase();
    const rawUrl = request.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const rawPath = queryStart >= 0 ? rawUrl.slice(0, queryStart) : rawUrl;
    const localRoute = props.localRoutes?.[`${method} ${rawPath}`];
    if (localRoute) return localRoute();

    const match = matchRoute(method, rawPath);
    if (match === 'method-not-allowed') return jsonResponse(405, { error: { code: 'method_not_allowed', message: 'This method is not allowed on this path.' } });
    if (!match) return errorResponse(new NotFoundError('route'));

    const multiQuery: Record<string, string[]> = {};
    for (const [key, value] of new URLSearchParams(queryStart >= 0 ? rawUrl.slice(queryStart + 1) : '')) (multiQuery[key] ??= []).push(value);
    const multiHeaders: Record<string, string[]> = {};
    for (let index = 0; index < request.rawHeaders.length; index += 2) (multiHeaders[request.rawHeaders[index]] ??= []).push(request.rawHeaders[index + 1]);
    const headers = firstValues(multiHeaders) ?? {};
    const queryStringParameters = firstValues(multiQuery);
    const bytes = await readBody(request);
    const utf8 = isUtf8(bytes);

    const { route, pathParameters } = match;
    const requestContext = {
      accountId: '000000000000',
      apiId: 'local',
      stage: 'local',
      requestId: randomUUID(),
      resourceId: 'local',
      resourcePath: route.path,
      httpMethod: method,
      path: rawPath,
      protocol: 'HTTP/1.1',
      requestTimeEpoch: Date.now(),
      identity: { sourceIp: request.socket.remoteAddress ?? '127.0.0.1' },
    } as APIGatewayProxyEvent['requestContext'];

    let authorizer: Record<string, string> | undefined;
    if (route.auth !== 'none') {
      const authorizerEvent: APIGatewayRequestAuthorizerEvent = {
        type: 'REQUEST',
        methodArn: `arn:aws:execute-api:${LOCAL_REGION_ACCOUNT}:local/local/${method}${rawPath}`,
        resource: route.path,
        path: rawPath,
        httpMethod: method,
        headers,
        multiValueHeaders: multiHeaders,
        pathParameters,
        queryStringParameters,
        multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
        stageVariables: null,
        requestContext: requestContext as APIGatewayRequestAuthorizerEvent['requestContext'],
      };
      try {
        const result = await props.authorizers[route.auth](authorizerEvent, lambdaContext(`${route.auth}-authorizer`));
        const allowed = result.policyDocument.Statement.some((statement) => 'Effect' in statement && statement.Effect === 'Allow');
        if (!allowed) return errorResponse(new UnauthorizedError());
        authorizer = { ...(result.context as Record<string, string>), principalId: result.principalId };
      } catch (error) {
        // As API Gateway does: "Unauthorized" is a 401, any other authorizer failure a 5xx (mapped to 503 in the stack).
        if (error instanceof Error && error.message === UNAUTHORIZED) return errorResponse(new UnauthorizedError());
        return errorResponse(new ServiceUnavailableError(1, error));
      }
      const refusal = await props.beforeHandler?.(route, authorizer);
      if (refusal) return errorResponse(refusal);
    }

    const event: APIGatewayProxyEvent = {
      resource: route.path,
      path: rawPath,
      httpMethod: method,
      headers,
      multiValueHeaders: multiHeaders,
      queryStringParameters,
      multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
      pathParameters,
      stageVariables: null,
      requestContext: { ...requestContext, authorizer } as APIGatewayProxyEvent['requestContext'],
      body: bytes.length === 0 ? null : utf8 ? bytes.toString('utf8') : bytes.toString('base64'),
      isBase64Encoded: bytes.length > 0 && !utf8,
    };
    return props.functions[route.fn](event, lambdaContext(route.fn));
  }
}
