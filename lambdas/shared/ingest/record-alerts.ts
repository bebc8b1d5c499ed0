import { GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { scopedTableClient, tableName } from '../access/table-access';
import { ExpiringLruCache } from '../cache/bounded-lru';
import { SEVERITIES, type AlertInput, type Severity } from '../domain/alert-input';
import { correlateAlert, windowStart, type CorrelationDecision } from '../domain/correlation';
import { priorityOf, worseSeverity } from '../domain/priority';
import type { CorrelationConfig } from '../domain/tenant-config';
import { failedConditionIndexes, isTransactionConflict, pauseBeforeRetry } from '../table/conditional-writes';
import { incidentFromItem } from '../table/incidents';
import { MAX_INCIDENT_ALERT_IDS, type AlertItem, type IncidentItem } from '../table/items';
import { adminIndexKeys, alertKey, correlationKey, incidentKey, tenantIndexKeys } from '../table/keys';
import { TTL_ATTRIBUTE } from '../table/table-schema';
import type { TenantId } from '../table/tenant-id';

/**
 * Stores alerts and folds them into their incident. A run of alerts with one fingerprint
 * and one status is ONE DynamoDB transaction: the alert rows and the incident change
 * commit together or not at all, so a failure leaves nothing half-written, and a retry
 * with the same alert ids (a retried delivery) finds them stored and changes nothing.
 *
 * Concurrent writers of one fingerprint stay exact without serialising on a version: the
 * count is an atomic ADD, sources a set ADD, and only the rare writes that depend on what
 * was read (opening an incident, moving the pointer, raising the severity, filling the
 * capped id list) carry a condition. A writer that loses such a race re-reads and retries.
 */

export const ALERT_RETENTION_DAYS = 30;
/** TransactWriteItems takes 100 items; a run also writes the incident and the pointer. */
export const MAX_ALERTS_PER_TRANSACTION = 97;
const MAX_ATTEMPTS = 50;

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

/** Alerts of one fingerprint and one status, in order, recorded together. */
export interface AlertRun {
  readonly fingerprint: string;
  readonly status: AlertInput['status'];
  readonly alerts: readonly AlertToRecord[];
  readonly receivedAt: Date;
}

interface CurrentState {
  readonly pointerIncidentId?: string;
  readonly incident?: IncidentItem;
}

function alertItemOf(tenantId: TenantId, alert: AlertToRecord, fingerprint: string, incidentId: string | null) {
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

const worstOf = (alerts: readonly AlertToRecord[]): Severity =>
  alerts.reduce<Severity>((worst, alert) => worseSeverity(worst, alert.input.severity), SEVERITIES[SEVERITIES.length - 1]);

const sourcesOf = (alerts: readonly AlertToRecord[]): string[] => [...new Set(alerts.map((alert) => alert.input.source))];

function newIncident(context: RecordContext, run: AlertRun, incidentId: string) {
  const at = run.receivedAt.toISOString();
  const [first] = run.alerts;
  const severity = worstOf(run.alerts);
  const sources = sourcesOf(run.alerts);
  const criticalAsset = context.config.critical_assets.includes(first.input.asset_name);
  const priority = priorityOf({ severity, criticalAsset, alertCount: run.alerts.length, sourceCount: sources.length, firstSeen: at }, run.receivedAt);
  const item: IncidentItem = {
    id: incidentId,
    tenant_id: context.tenantId,
    status: 'new',
    severity,
    priority_score: priority.score,
    priority_breakdown: priority.breakdown,
    critical_asset: criticalAsset,
    asset_name: first.input.asset_name,
    signature: first.input.signature,
    fingerprint: run.fingerprint,
    alert_count: run.alerts.length,
    alert_ids: run.alerts.slice(0, MAX_INCIDENT_ALERT_IDS).map((alert) => alert.id),
    sources,
    first_seen: at,
    last_seen: at,
    created_at: at,
    updated_at: at,
    runbook_executions: [],
  };
  const stored = {
    ...incidentKey(context.tenantId, incidentId),
    ...adminIndexKeys.incidentsByStatus('new', at, context.tenantId),
    ...tenantIndexKeys.incidentsByStatus(context.tenantId, 'new', incidentId),
    ...item,
    // A set, so that concurrent writers can each ADD their source without a condition.
    sources: new Set(sources),
  };
  return { stored, incident: item };
}

/** The change a run makes to an incident it joins or resolves, and the conditions that keep it exact. */
function incidentUpdate(context: RecordContext, run: AlertRun, incident: IncidentItem, resolves: boolean) {
  const at = run.receivedAt.toISOString();
  const added = run.alerts.length;
  const severity = worseSeverity(incident.severity, worstOf(run.alerts));
  const sources = [...new Set([...incident.sources, ...sourcesOf(run.alerts)])];
  const room = MAX_INCIDENT_ALERT_IDS - incident.alert_ids.length;
  const newIds = run.alerts.slice(0, Math.max(0, room)).map((alert) => alert.id);
  // Stored for listings; every read recomputes it from the exact fields.
  const priority = priorityOf(
    { severity, criticalAsset: incident.critical_asset, alertCount: incident.alert_count + added, sourceCount: sources.length, firstSeen: incident.first_seen },
    run.receivedAt,
  );

  const sets = ['last_seen = :now', 'updated_at = :now', 'priority_score = :score', 'priority_breakdown = :breakdown'];
  const adds = ['alert_count :added', 'sources :sources'];
  const conditions = ['#status <> :resolved'];
  const values: Record<string, unknown> = {
    ':now': at,
    ':score': priority.score,
    ':breakdown': priority.breakdown,
    ':added': added,
    ':sources': new Set(sourcesOf(run.alerts)),
    ':resolved': 'resolved',
  };
  if (severity !== incident.severity) {
    sets.push('severity = :severity');
    conditions.push('severity = :readSeverity');
    Object.assign(values, { ':severity': severity, ':readSeverity': incident.severity });
  }
  if (newIds.length > 0) {
    sets.push('alert_ids = list_append(alert_ids, :newIds)');
    conditions.push('size(alert_ids) <= :roomLeft');
    Object.assign(values, { ':newIds': newIds, ':roomLeft': MAX_INCIDENT_ALERT_IDS - newIds.length });
  }
  if (resolves) {
    sets.push('#status = :resolved', 'resolved_at = :now', 'GSI1PK = :adminStatus', 'GSI2PK = :tenantStatus');
    values[':adminStatus'] = adminIndexKeys.incidentsByStatus('resolved', incident.created_at, context.tenantId).GSI1PK;
    values[':tenantStatus'] = tenantIndexKeys.incidentsByStatus(context.tenantId, 'resolved', incident.id).GSI2PK;
  } else {
    conditions.push('last_seen >= :windowStart');
    values[':windowStart'] = windowStart({ timeWindowMinutes: context.config.time_window_minutes, autoCorrelate: true }, run.receivedAt).toISOString();
  }
  const update = {
    Update: {
      TableName: tableName(),
      Key: incidentKey(context.tenantId, incident.id),
      UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    },
  };
  // What the incident is after this write, as far as this writer knows: the next run starts from it.
  const next: IncidentItem = {
    ...incident,
    severity,
    sources,
    alert_count: incident.alert_count + added,
    alert_ids: [...incident.alert_ids, ...newIds],
    last_seen: at,
    updated_at: at,
  };
  return { update, next };
}

/**
 * The incident each fingerprint fed last, as this function wrote or read it: a repeat alert
 * of a busy fingerprint skips both reads. A stale entry is safe, because every write planned
 * from it carries conditions that fail if the incident moved on (resolved, out of its window,
 * severity raised or id list filled by someone else, pointer moved), and a failed attempt
 * forgets the entry and reads afresh.
 */
const recentIncidents = new ExpiringLruCache<string, CurrentState>(5_000, 60_000);
const recentKey = (context: RecordContext, fingerprint: string) => `${tableName()}/${context.tenantId}/${fingerprint}`;

async function readState(context: RecordContext, fingerprint: string, consistent: boolean): Promise<CurrentState> {
  const client = scopedTableClient(context.tenantId);
  const { Item: pointer } = await client.send(
    new GetCommand({ TableName: tableName(), Key: correlationKey(context.tenantId, fingerprint), ConsistentRead: consistent }),
  );
  const pointerIncidentId = typeof pointer?.incident_id === 'string' ? pointer.incident_id : undefined;
  if (!pointerIncidentId) return {};
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName(), Key: incidentKey(context.tenantId, pointerIncidentId), ConsistentRead: consistent }),
  );
  return { pointerIncidentId, incident: Item ? incidentFromItem(Item) : undefined };
}

/** The transaction for a run given what was read, and the answer it gives if it commits. */
function plan(
  context: RecordContext,
  run: AlertRun,
  state: CurrentState,
): { kind: CorrelationDecision['kind']; transaction: TransactWriteCommandInput; answers: RecordedAlert[]; after: CurrentState } {
  const decision = correlateAlert(
    { status: run.status },
    state.incident ? { id: state.incident.id, status: state.incident.status, lastSeen: state.incident.last_seen } : undefined,
    { timeWindowMinutes: context.config.time_window_minutes, autoCorrelate: context.config.auto_correlate },
    run.receivedAt,
  );
  const putAlerts = (incidentId: string | null) =>
    run.alerts.map((alert) => ({
      Put: { TableName: tableName(), Item: alertItemOf(context.tenantId, alert, run.fingerprint, incidentId), ConditionExpression: 'attribute_not_exists(PK)' },
    }));
  const answer = (incidentId: string | null, opened: boolean) =>
    run.alerts.map((alert, index) => ({ id: alert.id, incident_id: incidentId, new_incident: opened && index === 0 }));

  switch (decision.kind) {
    case 'join':
    case 'resolve': {
      const incident = state.incident as IncidentItem;
      const { update, next } = incidentUpdate(context, run, incident, decision.kind === 'resolve');
      const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [...putAlerts(incident.id), update];
      if (decision.kind === 'resolve') {
        // The next firing alert of this fingerprint must open a new incident.
        items.push({
          Delete: {
            TableName: tableName(),
            Key: correlationKey(context.tenantId, run.fingerprint),
            ConditionExpression: 'incident_id = :incident',
            ExpressionAttributeValues: { ':incident': incident.id },
          },
        });
      }
      const after = decision.kind === 'resolve' ? {} : { pointerIncidentId: incident.id, incident: next };
      return { kind: decision.kind, transaction: { TransactItems: items }, answers: answer(incident.id, false), after };
    }
    case 'open': {
      const incidentId = context.newIncidentId();
      const pointer = {
        Put: {
          TableName: tableName(),
          Item: { ...correlationKey(context.tenantId, run.fingerprint), fingerprint: run.fingerprint, incident_id: incidentId },
          // Only one writer may move the pointer from what it read: the others re-read and join.
          ConditionExpression: state.pointerIncidentId ? 'incident_id = :previous' : 'attribute_not_exists(PK)',
          ...(state.pointerIncidentId ? { ExpressionAttributeValues: { ':previous': state.pointerIncidentId } } : {}),
        },
      };
      const { stored, incident } = newIncident(context, run, incidentId);
      const putIncident = { Put: { TableName: tableName(), Item: stored, ConditionExpression: 'attribute_not_exists(PK)' } };
      return {
        kind: decision.kind,
        transaction: { TransactItems: [...putAlerts(incidentId), putIncident, pointer] },
        answers: answer(incidentId, true),
        after: { pointerIncidentId: incidentId, incident },
      };
    }
    case 'unmatched-resolve':
      return { kind: decision.kind, transaction: { TransactItems: putAlerts(null) }, answers: answer(null, false), after: state };
  }
}

/** A run whose alert rows already exist was committed by an earlier attempt of the same delivery. */
async function alreadyRecorded(context: RecordContext, run: AlertRun): Promise<RecordedAlert[] | undefined> {
  const client = scopedTableClient(context.tenantId);
  const answers: RecordedAlert[] = [];
  for (const alert of run.alerts) {
    const { Item } = await client.send(new GetCommand({ TableName: tableName(), Key: alertKey(context.tenantId, alert.id), ConsistentRead: true }));
    if (!Item) return undefined;
    answers.push({ id: alert.id, incident_id: typeof Item.incident_id === 'string' ? Item.incident_id : null, new_incident: false });
  }
  return answers;
}

export async function recordAlertRun(context: RecordContext, run: AlertRun): Promise<RecordedAlert[]> {
  if (run.alerts.length === 0 || run.alerts.length > MAX_ALERTS_PER_TRANSACTION) throw new Error('an alert run holds 1 to 97 alerts');
  const client = scopedTableClient(context.tenantId);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    // The first try starts from what this function last knew, else reads cheaply; after a lost race, it reads what the winner wrote.
    const cacheKey = recentKey(context, run.fingerprint);
    const remembered = attempt === 0 ? recentIncidents.get(cacheKey) : undefined;
    let planned = remembered ? plan(context, run, remembered) : undefined;
    // Only a join is safe to plan from memory: its conditions check the incident itself. Opening
    // or resolving from a stale memory could split a live incident, so those read first.
    if (planned?.kind !== 'join') planned = plan(context, run, await readState(context, run.fingerprint, attempt > 0));
    const { transaction, answers, after } = planned;
    try {
      await client.send(new TransactWriteCommand(transaction));
      recentIncidents.set(cacheKey, after);
      return answers;
    } catch (error) {
      recentIncidents.delete(cacheKey);
      const failed = failedConditionIndexes(error);
      if (failed.some((index) => index < run.alerts.length)) {
        const existing = await alreadyRecorded(context, run);
        if (existing) return existing;
      }
      if (failed.length === 0 && !isTransactionConflict(error)) throw error;
      await pauseBeforeRetry(attempt);
    }
  }
  throw Object.assign(new Error('could not record the alerts: too much contention'), { name: 'TransactionConflictException' });
}
