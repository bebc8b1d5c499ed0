import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod';
import { routeKey, routesOf, type ApiRoute, type RouteFunction } from '../../../lib/api-routes';
import { adminCallerOf, tenantCallerOf, type AdminCaller, type TenantCaller } from '../auth/caller';
import { isTenantId } from '../table/tenant-id';
import { logger, requestLogging } from '../observability/logger';
import { isTransientDependencyFault } from './dependency-faults';
import { ForbiddenError, HttpError, NotFoundError, ServiceUnavailableError } from './errors';
import { parseJson, readRawBody, type BodyOptions } from './json-body';
import { errorResponse, internalErrorResponse } from './responses';
import { parseOrThrow } from './validation';

/**
 * The request pipeline every route shares, in API.md's order of checks:
 * 401 credentials → 403 scope → 413 size / 415 type → signature → 400 body shape → the
 * route's own work (404 → 409 → semantic 400). A route states what it needs; this module
 * decides the order, so no handler can get it wrong.
 */

/** A schema, or a function choosing one from the parsed body and the request (a source adapter by path). */
export type BodySchema<Body> = z.ZodType<Body> | ((json: unknown, event: APIGatewayProxyEvent) => z.ZodType<Body>);

interface RequestParts<Body> {
  readonly event: APIGatewayProxyEvent;
  readonly route: ApiRoute;
  readonly body: Body;
  /** The body as received: what signatures are computed over. Empty for routes without a body. */
  readonly rawBody: string;
  /** A path parameter, as API Gateway decoded it. */
  pathParameter(name: string): string;
}

export interface TenantRequest<Body> extends RequestParts<Body> {
  readonly caller: TenantCaller;
}

export interface AdminRequest<Body> extends RequestParts<Body> {
  readonly caller: AdminCaller;
}

export type PublicRequest = RequestParts<undefined>;

type RouteImplementation = (event: APIGatewayProxyEvent, route: ApiRoute) => Promise<APIGatewayProxyResult>;

interface BodySpec<Body> extends BodyOptions {
  readonly body?: BodySchema<Body>;
}

export interface TenantRouteDefinition<Body> extends BodySpec<Body> {
  /** Runs on the raw body before it is parsed: webhook signatures, which must be checked before anything is read or written. */
  readonly verifyRawBody?: (request: { caller: TenantCaller; event: APIGatewayProxyEvent; rawBody: string }) => Promise<void>;
  readonly handle: (request: TenantRequest<Body>) => Promise<APIGatewayProxyResult>;
}

export interface AdminRouteDefinition<Body> extends BodySpec<Body> {
  readonly handle: (request: AdminRequest<Body>) => Promise<APIGatewayProxyResult>;
}

function pathParameterReader(event: APIGatewayProxyEvent) {
  return (name: string): string => {
    const value = event.pathParameters?.[name];
    // API Gateway only routes here with the parameter present; an absent one is "no such thing".
    if (!value) throw new NotFoundError();
    return value;
  };
}

function validateBody<Body>(event: APIGatewayProxyEvent, rawBody: string, schema: BodySchema<Body>): Body {
  const json = parseJson(rawBody);
  const resolved = typeof schema === 'function' && !('safeParse' in schema) ? schema(json, event) : (schema as z.ZodType<Body>);
  return parseOrThrow(resolved, json);
}

/** A route authorised by a tenant API key, confined to that key's tenant. */
export function tenantRoute<Body = undefined>(definition: TenantRouteDefinition<Body>): RouteImplementation {
  return async (event, route) => {
    const caller = tenantCallerOf(event);
    logger.appendKeys({ tenant_id: caller.tenantId, key_id: caller.keyId });
    if (route.scope && !caller.scopes.includes(route.scope)) throw new ForbiddenError(`This route needs the ${route.scope} scope.`);
    const rawBody = definition.body ? readRawBody(event, definition) : '';
    if (definition.body && definition.verifyRawBody) await definition.verifyRawBody({ caller, event, rawBody });
    const body = definition.body ? validateBody(event, rawBody, definition.body) : (undefined as Body);
    return definition.handle({ event, route, caller, body, rawBody, pathParameter: pathParameterReader(event) });
  };
}

/** A route for MSP staff, authorised by an admin JWT. */
export function adminRoute<Body = undefined>(definition: AdminRouteDefinition<Body>): RouteImplementation {
  return async (event, route) => {
    const caller = adminCallerOf(event);
    // A route on one tenant's data (`/admin/v1/tenants/{tenant_id}/…`) names that tenant on every line too.
    const tenantId = event.pathParameters?.tenant_id;
    logger.appendKeys({ admin_subject: caller.subject, ...(tenantId !== undefined && isTenantId(tenantId) ? { tenant_id: tenantId } : {}) });
    const rawBody = definition.body ? readRawBody(event, definition) : '';
    const body = definition.body ? validateBody(event, rawBody, definition.body) : (undefined as Body);
    return definition.handle({ event, route, caller, body, rawBody, pathParameter: pathParameterReader(event) });
  };
}

/** A route that needs no credential (health). */
export function publicRoute(handle: (request: PublicRequest) => Promise<APIGatewayProxyResult>): RouteImplementation {
  return async (event, route) => handle({ event, route, body: undefined, rawBody: '', pathParameter: pathParameterReader(event) });
}

function toResponse(error: unknown): APIGatewayProxyResult {
  if (error instanceof HttpError) {
    if (error.statusCode >= 500) logger.error('request failed', { error: error.cause ?? error });
    else logger.info('request refused', { status: error.statusCode, code: error.code });
    return errorResponse(error);
  }
  if (isTransientDependencyFault(error)) {
    logger.warn('dependency unavailable', { error });
    return errorResponse(new ServiceUnavailableError(1, error));
  }
  logger.error('unexpected error', { error });
  return internalErrorResponse();
}

/**
 * One Lambda handler for a group of routes (one function per folder in `lambdas/`): it
 * dispatches on API Gateway's resource path and insists, at cold start, that it implements
 * exactly the routes the route table gives its function.
 */
export function routeGroup(fn: RouteFunction, implementations: Record<string, RouteImplementation>) {
  const routes = new Map(routesOf(fn).map((route) => [routeKey(route), route]));
  const missing = [...routes.keys()].filter((key) => !implementations[key]);
  const unknown = Object.keys(implementations).filter((key) => !routes.has(key));
  if (missing.length || unknown.length) {
    throw new Error(`route group ${fn}: missing [${missing.join(', ')}], not in the route table [${unknown.join(', ')}]`);
  }

  const dispatch = async (event: APIGatewayProxyEvent, _context: Context): Promise<APIGatewayProxyResult> => {
    const key = `${event.httpMethod} ${event.resource}`;
    const route = routes.get(key);
    let response: APIGatewayProxyResult;
    try {
      if (!route) throw new NotFoundError('route');
      response = await implementations[key](event, route);
    } catch (error) {
      response = toResponse(error);
    }
    // The route template, never the path or query: those may carry ids and `?api_key=`.
    logger.info('request handled', { route: key, status: response.statusCode });
    return response;
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(requestLogging())
    .handler(dispatch);
}
