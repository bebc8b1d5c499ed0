import * as z from 'zod';
import { alertBatchSchema, alertsRequestSchemaFor, severitySchema, type AlertBatch } from '../shared/domain/alert-input';
import { snsEnvelopeSchema, sourceAdapterFor, type SourceAdapter } from '../shared/domain/sources';
import { encodeCursor, decodeCursor } from '../shared/http/cursor';
import { BadRequestError, NotFoundError } from '../shared/http/errors';
import { headerValue } from '../shared/http/headers';
import { parseListQuery } from '../shared/http/list-query';
import { jsonResponse } from '../shared/http/responses';
import { routeGroup, tenantRoute, type TenantRequest } from '../shared/http/route-handler';
import { ingestAlerts } from '../shared/ingest/ingest-alerts';
import { confirmSnsSubscription, requireSnsSignature } from '../shared/ingest/sns-delivery';
import { requireValidWebhookSignature } from '../shared/ingest/webhook-verification';
import { parseOrThrow } from '../shared/http/validation';
import { getAlert, listAlerts } from '../shared/table/alerts';
import { isUlid } from '../shared/table/ids';

const deliveryIdSchema = z.string().min(1).max(128, 'must be at most 128 characters').optional();

async function acceptAlerts(request: TenantRequest<AlertBatch>) {
  const parsed = deliveryIdSchema.safeParse(headerValue(request.event.headers, 'x-delivery-id'));
  if (!parsed.success) {
    throw new BadRequestError('invalid_request', 'X-Delivery-ID is invalid.', [{ field: 'X-Delivery-ID', message: parsed.error.issues[0].message }]);
  }
  const answer = await ingestAlerts(request.caller.tenantId, request.body.alerts, { deliveryId: parsed.data, now: new Date() });
  return jsonResponse(202, answer);
}

/** A source's own webhook body, mapped by its adapter and then held to the generic alert rules. */
function sourceBatchSchema(adapter: SourceAdapter): z.ZodType<AlertBatch> {
  return adapter.payloadSchema.transform((alerts) => ({ alerts })).pipe(alertBatchSchema);
}

/**
 * CloudWatch arrives wrapped in SNS: the envelope's signature is checked first, a
 * subscription confirmation is confirmed (no alert in it), and a notification is mapped.
 */
async function acceptSnsDelivery(request: TenantRequest<unknown>, adapter: SourceAdapter) {
  const envelope = parseOrThrow(snsEnvelopeSchema, request.body);
  await requireSnsSignature(envelope);
  if (envelope.Type === 'SubscriptionConfirmation') return jsonResponse(200, { subscription: await confirmSnsSubscription(envelope) });
  if (envelope.Type === 'UnsubscribeConfirmation') return jsonResponse(200, { subscription: 'unsubscribed' });
  return acceptAlerts({ ...request, body: parseOrThrow(sourceBatchSchema(adapter), request.body) });
}

export const handler = routeGroup('alerts', {
  'POST /v1/alerts': tenantRoute({
    body: alertsRequestSchemaFor,
    verifyRawBody: requireValidWebhookSignature,
    handle: acceptAlerts,
  }),

  'POST /v1/alerts/{source}': tenantRoute({
    // Any JSON here: which schema applies depends on the source, a path resource (404) checked after the body is JSON.
    body: z.unknown(),
    // SNS posts its JSON as text/plain.
    alsoAccept: ['text/plain'],
    verifyRawBody: requireValidWebhookSignature,
    handle: async (request) => {
      const adapter = sourceAdapterFor(request.pathParameter('source'));
      if (!adapter) throw new NotFoundError('alert source');
      if (adapter.source === 'cloudwatch') return acceptSnsDelivery(request, adapter);
      return acceptAlerts({ ...request, body: parseOrThrow(sourceBatchSchema(adapter), request.body) });
    },
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
