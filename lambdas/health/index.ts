import { jsonResponse } from '../shared/http/responses';
import { publicRoute, routeGroup } from '../shared/http/route-handler';

/** Liveness only: it touches no tenant data and needs no credential. */
export const handler = routeGroup('health', {
  'GET /v1/health': publicRoute(async () => jsonResponse(200, { status: 'ok' })),
});
