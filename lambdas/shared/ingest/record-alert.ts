import { GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { scopedTableClient, tableName } from '../access/table-access';
import type { AlertInput } from '../domain/alert-input';
import { correlateAlert, windowStart, type CorrelationDecision } from '../domain/correlation';
import { fingerprintOf } from '../domain/fingerprint';
import { priorityOf, worseSeverity } from '../domain/priority';
import type { CorrelationConfig } from '../domain/tenant-config';
import { failedConditionIndexes, isTransactionConflict } from '../table/conditional-writes';
import { incidentFromItem } from '../table/incidents';
import { MAX_INCIDENT_ALERT_IDS, type AlertItem, type IncidentItem } from '../table/items';
import { adminIndexKeys, alertKey, correlationKey, incidentKey, tenantIndexKeys } from '../table/keys';
import { TTL_ATTRIBUTE } from '../table/table-schema';
import type { TenantId } from '../table/tenant-id';

/**
 * Stores one alert and folds it into its incident, atomically: the alert row and the
 * incident change are one DynamoDB transaction, so a failure leaves neither, and a retry
 * with the same alert id (a retried delivery) finds the alert already stored and changes
 * nothing. Conditions on every write make concurrent alerts of one fingerprint end in ONE
 * incident with an exact count: a writer that lost a race re-reads and tries again.
 */

export const ALERT_RETENTION_DAYS = 30;
const MAX_ATTEMPTS = 100;

export interface AlertToRecord {
  readonly id: string;
  readonly input: AlertInput;
  readonly receivedAt: Date;
}

export interface RecordedAlert {
  readonly id: string;
  readonly incident_id: string | null;
  readonly new_incident: boolean;
}

export interface RecordContext {
  readonly tenantId: TenantId;
  readonly config: CorrelationConfig;
  readonly newIncidentId: () => string;
}

function alertItemOf(tenantId: TenantId, alert: AlertToRecord, fingerprint: string, incidentId: string | null): Record<string, unknown> {
  const receivedAt = alert.receivedAt.toISOString();
  const item: AlertItem = {
    id: alert.id,
    tenant_id: tenantId,
    asset_name: alert.input.asset_name,
    signature: alert.input.signature,
    severity: alert.input.severity,
    message: alert.input.message,
    status: alert.input.status,
    source: alert.input.source,
    fingerprint,
    incident_id: incidentId,
    occurred_at: alert.input.occurred_at ?? receivedAt,
    received_at: receivedAt,
    labels: alert.input.labels,
  };
  return {
    ...alertKey(tenantId, alert.id),
    ...adminIndexKeys.alertsBySeverity(item.severity, receivedAt, tenantId),
    ...item,
    [TTL_ATTRIBUTE]: Math.floor(alert.receivedAt.getTime() / 1000) + ALERT_RETENTION_DAYS * 86_400,
  };
}

function newIncidentItem(context: RecordContext, alert: AlertToRecord, fingerprint: string, incidentId: string): Record<string, unknown> {
  const at = alert.receivedAt.toISOString();
  const criticalAsset = context.config.critical_assets.includes(alert.input.asset_name);
  const priority = priorityOf({ severity: alert.input.severity, criticalAsset, alertCount: 1, sourceCount: 1, firstSeen: at }, alert.receivedAt);
  const item: IncidentItem = {
    id: incidentId,
    tenant_id: context.tenantId,
    status: 'new',
    severity: alert.input.severity,
    priority_score: priority.score,
    priority_breakdown: priority.breakdown,
    critical_asset: criticalAsset,
    asset_name: alert.input.asset_name,
    signature: alert.input.signature,
    fingerprint,
    alert_count: 1,
    alert_ids: [alert.id],
    sources: [alert.input.source],
    first_seen: at,
    last_seen: at,
    created_at: at,
    updated_at: at,
    runbook_executions: [],
  };
  return {
    ...incidentKey(context.tenantId, incidentId),
    ...adminIndexKeys.incidentsByStatus('new', at, context.tenantId),
    ...tenantIndexKeys.incidentsByStatus(context.tenantId, 'new', incidentId),
    ...item,
  };
}

/** The incident change for an alert that joins (or resolves) `incident`, conditioned on the state it was computed from. */
function incidentUpdate(context: RecordContext, alert: AlertToRecord, incident: IncidentItem, resolves: boolean) {
  const at = alert.receivedAt.toISOString();
  const severity = worseSeverity(incident.severity, alert.input.severity);
  const sources = incident.sources.includes(alert.input.source) ? incident.sources : [...incident.sources, alert.input.source];
  const priority = priorityOf(
    { severity, criticalAsset: incident.critical_asset, alertCount: incident.alert_count + 1, sourceCount: sources.length, firstSeen: incident.first_seen },
    alert.receivedAt,
  );
  const sets = ['last_seen = :now', 'updated_at = :now', 'severity = :severity', 'sources = :sources', 'priority_score = :score', 'priority_breakdown = :breakdown'];
  const values: Record<string, unknown> = {
    ':count': incident.alert_count,
    ':one': 1,
    ':now': at,
    ':severity': severity,
    ':sources': sources,
    ':score': priority.score,
    ':breakdown': priority.breakdown,
    ':resolved': 'resolved',
  };
  if (incident.alert_ids.length < MAX_INCIDENT_ALERT_IDS) {
    sets.push('alert_ids = list_append(alert_ids, :alertId)');
    values[':alertId'] = [alert.id];
  }
  // The count condition makes every derived field (ids, severity, sources, priority) exact: a concurrent writer forces a re-read.
  let condition = 'alert_count = :count AND #status <> :resolved';
  if (resolves) {
    sets.push('#status = :resolved', 'resolved_at = :now', 'GSI1PK = :adminStatus', 'GSI2PK = :tenantStatus');
    values[':adminStatus'] = adminIndexKeys.incidentsByStatus('resolved', incident.created_at, context.tenantId).GSI1PK;
    values[':tenantStatus'] = tenantIndexKeys.incidentsByStatus(context.tenantId, 'resolved', incident.id).GSI2PK;
  } else {
    condition += ' AND last_seen >= :windowStart';
    values[':windowStart'] = windowStart({ timeWindowMinutes: context.config.time_window_minutes, autoCorrelate: true }, alert.receivedAt).toISOString();
  }
  return {
    Update: {
      TableName: tableName(),
      Key: incidentKey(context.tenantId, incident.id),
      UpdateExpression: `SET ${sets.join(', ')} ADD alert_count :one`,
      ConditionExpression: condition,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    },
  };
}

async function currentIncident(context: RecordContext, fingerprint: string, consistent: boolean) {
  const client = scopedTableClient(context.tenantId);
  const { Item: pointer } = await client.send(
    new GetCommand({ TableName: tableName(), Key: correlationKey(context.tenantId, fingerprint), ConsistentRead: consistent }),
  );
  const incidentId = typeof pointer?.incident_id === 'string' ? pointer.incident_id : undefined;
  if (!incidentId) return { pointerIncidentId: undefined, incident: undefined };
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName(), Key: incidentKey(context.tenantId, incidentId), ConsistentRead: consistent }),
  );
  return { pointerIncidentId: incidentId, incident: Item ? incidentFromItem(Item) : undefined };
}

function writesFor(
  context: RecordContext,
  alert: AlertToRecord,
  fingerprint: string,
  decision: CorrelationDecision,
  state: Awaited<ReturnType<typeof currentIncident>>,
): { transaction: TransactWriteCommandInput; result: RecordedAlert } {
  const putAlert = (incidentId: string | null) => ({
    Put: { TableName: tableName(), Item: alertItemOf(context.tenantId, alert, fingerprint, incidentId), ConditionExpression: 'attribute_not_exists(PK)' },
  });
  switch (decision.kind) {
    case 'join':
    case 'resolve': {
      const incident = state.incident as IncidentItem;
      const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [putAlert(incident.id), incidentUpdate(context, alert, incident, decision.kind === 'resolve')];
      if (decision.kind === 'resolve') {
        // The next firing alert of this fingerprint must open a new incident.
        items.push({
          Delete: {
            TableName: tableName(),
            Key: correlationKey(context.tenantId, fingerprint),
            ConditionExpression: 'incident_id = :incident',
            ExpressionAttributeValues: { ':incident': incident.id },
          },
        });
      }
      return { transaction: { TransactItems: items }, result: { id: alert.id, incident_id: incident.id, new_incident: false } };
    }
    case 'open': {
      const incidentId = context.newIncidentId();
      const pointer = {
        Put: {
          TableName: tableName(),
          Item: { ...correlationKey(context.tenantId, fingerprint), fingerprint, incident_id: incidentId },
          // Only one writer may move the pointer from what it read: the others re-read and join.
          ConditionExpression: state.pointerIncidentId ? 'incident_id = :previous' : 'attribute_not_exists(PK)',
          ...(state.pointerIncidentId ? { ExpressionAttributeValues: { ':previous': state.pointerIncidentId } } : {}),
        },
      };
      const incident = {
        Put: { TableName: tableName(), Item: newIncidentItem(context, alert, fingerprint, incidentId), ConditionExpression: 'attribute_not_exists(PK)' },
      };
      return { transaction: { TransactItems: [putAlert(incidentId), incident, pointer] }, result: { id: alert.id, incident_id: incidentId, new_incident: true } };
    }
    case 'unmatched-resolve':
      return { transaction: { TransactItems: [putAlert(null)] }, result: { id: alert.id, incident_id: null, new_incident: false } };
  }
}

async function alreadyRecorded(context: RecordContext, alertId: string): Promise<RecordedAlert | undefined> {
  const { Item } = await scopedTableClient(context.tenantId).send(
    new GetCommand({ TableName: tableName(), Key: alertKey(context.tenantId, alertId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  return { id: alertId, incident_id: typeof Item.incident_id === 'string' ? Item.incident_id : null, new_incident: false };
}

const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 5 * 2 ** Math.min(attempt, 5))));

export async function recordAlert(context: RecordContext, alert: AlertToRecord): Promise<RecordedAlert> {
  const fingerprint = fingerprintOf(alert.input);
  const client = scopedTableClient(context.tenantId);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    // The first try reads cheaply; after a lost race, read what the winner wrote.
    const state = await currentIncident(context, fingerprint, attempt > 0);
    const decision = correlateAlert(
      alert.input,
      state.incident ? { id: state.incident.id, status: state.incident.status, lastSeen: state.incident.last_seen } : undefined,
      { timeWindowMinutes: context.config.time_window_minutes, autoCorrelate: context.config.auto_correlate },
      alert.receivedAt,
    );
    const { transaction, result } = writesFor(context, alert, fingerprint, decision, state);
    try {
      await client.send(new TransactWriteCommand(transaction));
      return result;
    } catch (error) {
      const failed = failedConditionIndexes(error);
      if (failed.includes(0)) {
        // The alert row exists: a retried delivery whose first attempt committed.
        const existing = await alreadyRecorded(context, alert.id);
        if (existing) return existing;
      }
      if (failed.length === 0 && !isTransactionConflict(error)) throw error;
      await pause(attempt);
    }
  }
  throw Object.assign(new Error('could not record the alert: too much contention'), { name: 'TransactionConflictException' });
}
