import * as z from 'zod';
import { alertBatchSchema, alertsRequestSchemaFor, severitySchema, type AlertBatch } from '../shared/domain/alert-input';
import { sourceAdapterFor } from '../shared/domain/sources';
import { encodeCursor, decodeCursor } from '../shared/http/cursor';
import { BadRequestError, NotFoundError } from '../shared/http/errors';
import { parseListQuery } from '../shared/http/list-query';
import { jsonResponse } from '../shared/http/responses';
import { routeGroup, tenantRoute, type TenantRequest } from '../shared/http/route-handler';
import { ingestAlerts } from '../shared/ingest/ingest-alerts';
import { requireValidWebhookSignature } from '../shared/ingest/webhook-verification';
import { getAlert, listAlerts } from '../shared/table/alerts';
import { isUlid } from '../shared/table/ids';

const deliveryIdSchema = z.string().min(1).max(128, 'must be at most 128 characters').optional();

async function acceptAlerts(request: TenantRequest<AlertBatch>) {
  const deliveryHeader = Object.entries(request.event.headers ?? {}).find(([name]) => name.toLowerCase() === 'x-delivery-id')?.[1];
  const parsed = deliveryIdSchema.safeParse(deliveryHeader ?? undefined);
  if (!parsed.success) {
    throw new BadRequestError('invalid_request', 'X-Delivery-ID is invalid.', [{ field: 'X-Delivery-ID', message: parsed.error.issues[0].message }]);
  }
  const answer = await ingestAlerts(request.caller.tenantId, request.body.alerts, { deliveryId: parsed.data, now: new Date() });
  return jsonResponse(202, answer);
}

/** A source's own webhook body, mapped by its adapter and then held to the generic alert rules. */
function sourceBodySchema(source: string | undefined): z.ZodType<AlertBatch> {
  const adapter = source === undefined ? undefined : sourceAdapterFor(source);
  if (!adapter) throw new NotFoundError('alert source');
  return adapter.payloadSchema.transform((alerts) => ({ alerts })).pipe(alertBatchSchema);
}

export const handler = routeGroup('alerts', {
  'POST /v1/alerts': tenantRoute({
    body: alertsRequestSchemaFor,
    verifyRawBody: requireValidWebhookSignature,
    handle: acceptAlerts,
  }),

  'POST /v1/alerts/{source}': tenantRoute({
    body: (_json, event) => sourceBodySchema(event.pathParameters?.source),
    alsoAccept: ['text/plain'],
    verifyRawBody: requireValidWebhookSignature,
    handle: acceptAlerts,
  }),

  'GET /v1/alerts': tenantRoute({
    handle: async ({ event, caller, route }) => {
      const query = parseListQuery(event.queryStringParameters, {
        asset_name: z.string().min(1).max(256).optional(),
        severity: severitySchema.optional(),
      });
      const binding = { owner: caller.tenantId, list: `${route.path}?asset_name=${query.asset_name ?? ''}&severity=${query.severity ?? ''}` };
      const page = await listAlerts(caller.tenantId, {
        filters: { asset_name: query.asset_name, severity: query.severity },
        limit: query.limit,
        startKey: await decodeCursor(binding, query.cursor),
      });
      return jsonResponse(200, { items: page.items, next_cursor: await encodeCursor(binding, page.lastKey) });
    },
  }),

  'GET /v1/alerts/{alert_id}': tenantRoute({
    handle: async ({ caller, pathParameter }) => {
      const alertId = pathParameter('alert_id');
      const alert = isUlid(alertId) ? await getAlert(caller.tenantId, alertId) : undefined;
      if (!alert) throw new NotFoundError('alert');
      return jsonResponse(200, alert);
    },
  }),
});
