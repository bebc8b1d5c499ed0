import { randomUUID } from 'node:crypto';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createTable } from '../bin/local/dynamodb-local';
import { authorizeApiKey } from '../lambdas/api-key-authorizer';
import { handler as alertsHandler } from '../lambdas/alerts';
import { localTableAccess } from '../lambdas/shared/access/local-policy-enforcement';
import { useTableAccess } from '../lambdas/shared/access/table-access';
import type { AlertInputBody } from '../lambdas/shared/domain/alert-input';
import { apiEvent, seedTenant, testContext } from '../test/support/api-events';
import { CapacityTally, metered, meteredTableAccess } from './capacity-meter';

/**
 * Capacity units per ingested alert, by what the alert did: ONE alert per request through
 * the real alerts handler (validation, config read, correlation, writes), so each
 * request's units belong to exactly one outcome, read from the handler's own answer.
 * The API key authorizer runs before it, as API Gateway would call it, metered apart.
 */

export type AlertOutcome = 'correlated' | 'new_incident' | 'resolve';

export interface OutcomeCost {
  readonly alerts: number;
  /** Everything the handler sent for these alerts. */
  readonly tally: CapacityTally;
}

export interface CapacityResult {
  readonly alerts: number;
  readonly byOutcome: Readonly<Record<AlertOutcome, OutcomeCost>>;
  readonly handler: CapacityTally;
  readonly authorizer: CapacityTally;
  /** Resolves that found no open incident (stored alone). */
  readonly unmatchedResolves: number;
  /** AWS-equivalent write units of each alert of one fingerprint sent many times in a row (the first opens the incident). */
  readonly longIncidentWru: number[];
}

/** Alerts of one fingerprint in the long-incident probe: past the 10 ids an incident keeps, so its item stops growing. */
const LONG_INCIDENT_ALERTS = 25;

interface IngestAnswerBody {
  readonly alerts: ReadonlyArray<{ readonly id: string; readonly incident_id: string | null; readonly new_incident: boolean }>;
}

function authorizerEvent(apiKey: string): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:us-east-1:000000000000:bench/local/POST/v1/alerts',
    resource: '/v1/alerts',
    path: '/v1/alerts',
    httpMethod: 'POST',
    headers: { 'x-api-key': apiKey },
    multiValueHeaders: { 'x-api-key': [apiKey] },
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: { resourcePath: '/v1/alerts', httpMethod: 'POST' } as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
}

export async function measureCapacity(endpoint: string, alerts: readonly AlertInputBody[]): Promise<CapacityResult> {
  const tableName = `bench-capacity-${randomUUID().slice(0, 8)}`;
  await createTable(endpoint, tableName);
  // The same enforced clients `npm start` uses, metered.
  useTableAccess(meteredTableAccess(localTableAccess({ tableName, endpoint })));
  const tenantId = 'bench-capacity';
  const key = await seedTenant(tenantId);

  const byOutcome: Record<AlertOutcome, { alerts: number; tally: CapacityTally }> = {
    correlated: { alerts: 0, tally: new CapacityTally() },
    new_incident: { alerts: 0, tally: new CapacityTally() },
    resolve: { alerts: 0, tally: new CapacityTally() },
  };
  const handler = new CapacityTally();
  const authorizer = new CapacityTally();
  let unmatchedResolves = 0;

  // One at a time: a lost race would cost capacity that no response reports, and this figure is about the design, not contention.
  for (const alert of alerts) {
    const auth = await metered(() => authorizeApiKey(authorizerEvent(key.plaintext)));
    authorizer.add(auth.tally);
    const { result, tally } = await metered(() => alertsHandler(apiEvent('POST', '/v1/alerts', { tenantId, body: alert }), testContext));
    if (result.statusCode !== 202) throw new Error(`ingest answered ${result.statusCode}: ${result.body}`);
    const [answer] = (JSON.parse(result.body) as IngestAnswerBody).alerts;
    const outcome: AlertOutcome = alert.status === 'resolved' ? 'resolve' : answer.new_incident ? 'new_incident' : 'correlated';
    if (outcome === 'resolve' && answer.incident_id === null) unmatchedResolves += 1;
    byOutcome[outcome].alerts += 1;
    byOutcome[outcome].tally.add(tally);
    handler.add(tally);
  }

  // The mix gives an incident ~3 alerts; a storm on one fingerprint grows the incident item (its alert_ids list), which the write cost follows.
  const longIncidentWru: number[] = [];
  for (let index = 0; index < LONG_INCIDENT_ALERTS; index += 1) {
    const alert = { ...alerts[0], asset_name: 'bench-long-incident.prod.example.net', status: 'firing' as const };
    const { result, tally } = await metered(() => alertsHandler(apiEvent('POST', '/v1/alerts', { tenantId, body: alert }), testContext));
    if (result.statusCode !== 202) throw new Error(`ingest answered ${result.statusCode}: ${result.body}`);
    longIncidentWru.push(tally.writeUnits());
  }
  return { alerts: alerts.length, byOutcome, handler, authorizer, unmatchedResolves, longIncidentWru };
}
