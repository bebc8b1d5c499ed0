import { incidentPatchSchema } from '../shared/domain/incidents';
import { decodeCursor, encodeCursor } from '../shared/http/cursor';
import { NotFoundError } from '../shared/http/errors';
import { parseListQuery } from '../shared/http/list-query';
import { jsonResponse } from '../shared/http/responses';
import { routeGroup, tenantRoute } from '../shared/http/route-handler';
import { actorOf } from '../shared/table/audit';
import { isUlid } from '../shared/table/ids';
import { changeIncidentStatus, getIncident, incidentResource, listIncidents } from '../shared/table/incidents';
import { incidentStatusSchema } from '../shared/table/items';

export const handler = routeGroup('incidents', {
  'GET /v1/incidents': tenantRoute({
    handle: async ({ event, caller, route }) => {
      const query = parseListQuery(event.queryStringParameters, { status: incidentStatusSchema.optional() });
      const binding = { owner: caller.tenantId, list: `${route.path}?status=${query.status ?? ''}` };
      const page = await listIncidents(caller.tenantId, { status: query.status, limit: query.limit, startKey: await decodeCursor(binding, query.cursor) });
      const now = new Date();
      return jsonResponse(200, { items: page.items.map((incident) => incidentResource(incident, now)), next_cursor: await encodeCursor(binding, page.lastKey) });
    },
  }),

  'GET /v1/incidents/{incident_id}': tenantRoute({
    handle: async ({ caller, pathParameter }) => {
      const incidentId = pathParameter('incident_id');
      const incident = isUlid(incidentId) ? await getIncident(caller.tenantId, incidentId) : undefined;
      if (!incident) throw new NotFoundError('incident');
      return jsonResponse(200, incidentResource(incident, new Date()));
    },
  }),

  'PATCH /v1/incidents/{incident_id}': tenantRoute({
    body: incidentPatchSchema,
    handle: async ({ caller, body, pathParameter }) => {
      const incidentId = pathParameter('incident_id');
      if (!isUlid(incidentId)) throw new NotFoundError('incident');
      const now = new Date();
      const incident = await changeIncidentStatus(caller.tenantId, incidentId, body.status, { actor: actorOf(caller), note: body.note }, now);
      return jsonResponse(200, incidentResource(incident, now));
    },
  }),
});
