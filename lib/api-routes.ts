import type { ApiKeyScope } from '../lambdas/shared/auth/scopes';

/**
 * The route table: one row per API.md route. The CDK stack builds API Gateway from it, the
 * local server routes by it, each handler takes its scope from it, and the attack suite
 * attacks every row, so a route added here is deployed, served, guarded and attacked alike.
 */

/** Each value is a folder `lambdas/<name>/` whose `index.ts` exports `handler`. */
export type RouteFunction = 'health' | 'alerts' | 'incidents' | 'config' | 'runbooks' | 'admin';

export type RouteAuth =
  /** No credential: health only. */
  | 'none'
  /** A tenant API key, checked by `lambdas/api-key-authorizer`. */
  | 'api-key'
  /** An MSP staff JWT, checked by `lambdas/admin-authorizer`. */
  | 'admin';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRoute {
  readonly method: HttpMethod;
  /** API Gateway resource path; `{name}` is a path parameter. */
  readonly path: string;
  readonly fn: RouteFunction;
  readonly auth: RouteAuth;
  /** The API key scope the route demands (api-key routes only). */
  readonly scope?: ApiKeyScope;
  /** `?api_key=` is accepted here, for webhook senders that cannot set headers. */
  readonly acceptsQueryApiKey?: boolean;
}

export const ALERT_SOURCES = ['alertmanager', 'grafana', 'cloudwatch', 'pagerduty', 'datadog'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'GET', path: '/v1/health', fn: 'health', auth: 'none' },

  { method: 'POST', path: '/v1/alerts', fn: 'alerts', auth: 'api-key', scope: 'alerts:write', acceptsQueryApiKey: true },
  { method: 'POST', path: '/v1/alerts/{source}', fn: 'alerts', auth: 'api-key', scope: 'alerts:write', acceptsQueryApiKey: true },
  { method: 'GET', path: '/v1/alerts', fn: 'alerts', auth: 'api-key', scope: 'incidents:read' },
  { method: 'GET', path: '/v1/alerts/{alert_id}', fn: 'alerts', auth: 'api-key', scope: 'incidents:read' },

  { method: 'GET', path: '/v1/incidents', fn: 'incidents', auth: 'api-key', scope: 'incidents:read' },
  { method: 'GET', path: '/v1/incidents/{incident_id}', fn: 'incidents', auth: 'api-key', scope: 'incidents:read' },
  { method: 'PATCH', path: '/v1/incidents/{incident_id}', fn: 'incidents', auth: 'api-key', scope: 'incidents:write' },

  { method: 'POST', path: '/v1/incidents/{incident_id}/runbooks', fn: 'runbooks', auth: 'api-key', scope: 'runbooks:execute' },
  { method: 'GET', path: '/v1/incidents/{incident_id}/runbooks/{execution_id}', fn: 'runbooks', auth: 'api-key', scope: 'incidents:read' },

  { method: 'GET', path: '/v1/config/correlation', fn: 'config', auth: 'api-key', scope: 'incidents:read' },
  { method: 'PUT', path: '/v1/config/correlation', fn: 'config', auth: 'api-key', scope: 'config:write' },
  { method: 'GET', path: '/v1/config/webhook-security', fn: 'config', auth: 'api-key', scope: 'incidents:read' },
  { method: 'PUT', path: '/v1/config/webhook-security', fn: 'config', auth: 'api-key', scope: 'config:write' },
  { method: 'GET', path: '/v1/config/aws-integration', fn: 'config', auth: 'api-key', scope: 'incidents:read' },
  { method: 'PUT', path: '/v1/config/aws-integration', fn: 'config', auth: 'api-key', scope: 'config:write' },

  { method: 'POST', path: '/admin/v1/tenants', fn: 'admin', auth: 'admin' },
  { method: 'GET', path: '/admin/v1/tenants', fn: 'admin', auth: 'admin' },
  { method: 'POST', path: '/admin/v1/tenants/{tenant_id}/api-keys', fn: 'admin', auth: 'admin' },
  { method: 'DELETE', path: '/admin/v1/tenants/{tenant_id}/api-keys/{key_id}', fn: 'admin', auth: 'admin' },
  { method: 'PUT', path: '/admin/v1/tenants/{tenant_id}/limits', fn: 'admin', auth: 'admin' },
  { method: 'GET', path: '/admin/v1/incidents', fn: 'admin', auth: 'admin' },
  { method: 'GET', path: '/admin/v1/alerts', fn: 'admin', auth: 'admin' },
];

/** `"GET /v1/alerts/{alert_id}"`: how API Gateway names a route in `event.httpMethod` + `event.resource`. */
export const routeKey = (route: Pick<ApiRoute, 'method' | 'path'>): string => `${route.method} ${route.path}`;

export function routesOf(fn: RouteFunction): ApiRoute[] {
  return API_ROUTES.filter((route) => route.fn === fn);
}
