import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { scopedTableClient, tableName } from '../access/table-access';
import { ExpiringLruCache } from '../cache/bounded-lru';
import { SEVERITIES, type AlertInput, type Severity } from '../domain/alert-input';
import { correlateAlert, crossTenantListed, windowStart, type CorrelationDecision } from '../domain/correlation';
import { priorityOf, worseSeverity } from '../domain/priority';
import type { CorrelationConfig } from '../domain/tenant-config';
import { failedConditionIndexes, isConditionalFailure, isTransactionConflict, pauseBeforeRetry, type TransactItem } from '../table/conditional-writes';
import { incidentFromItem } from '../table/incidents';
import { MAX_INCIDENT_ALERT_IDS, type AlertItem, type IncidentItem } from '../table/items';
import { adminIndexKeys, alertKey, correlationKey, incidentKey } from '../table/keys';
import { TTL_ATTRIBUTE } from '../table/table-schema';
import type { TenantId } from '../table/tenant-id';

/**
 * Stores alerts and folds them into their incident. A run (alerts of one fingerprint and
 * one status) is planned once, from what was read, as a short list of writes; how it is
 * committed depends on what the sender asked for:
 *
 * - With `X-Delivery-ID` the sender was promised exactly-once across retries, so the plan
 *   commits as ONE transaction: a retry with the same alert ids finds them stored and changes
 *   nothing. AWS charges transactional writes double, so this path costs twice the other.
 * - Without it, a retry is a new alert by definition, and the writes go one by one: the
 *   incident side first (its conditions decide the race, and a lost race has written
 *   nothing), the alert rows last. A correlated alert costs two plain writes. If a later
 *   write fails, what the earlier ones did to the count, the pointer and an opened incident
 *   is taken back (best effort) before the request answers 503; a resolve stays resolved.
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
/**
 * A one-by-one opener claims the pointer before it writes the incident. A pointer to an
 * incident that does not exist is an opener still at work, unless its claim is older than this.
 */
export const POINTER_CLAIM_LEASE_MS = 10_000;

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
  /** Commit each run as one transaction (a delivery the sender may retry with the same ids). */
  readonly atomic: boolean;
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

/** One write of a plan, with what takes it back if a later write of a one-by-one commit fails. */
interface PlannedWrite {
  readonly write: TransactItem;
  readonly undo?: TransactItem;
  /** Its condition failing means the work is already done (by someone else): go on. */
  readonly doneIfConditionFails?: boolean;
}

interface Plan {
  readonly kind: CorrelationDecision['kind'];
  /** Pointer and incident writes, in the order a one-by-one commit sends them: the first one's conditions decide a race. */
  readonly incidentSide: readonly PlannedWrite[];
  /** The alert rows, sent last and together (their ids are fresh: nothing to race on). */
  readonly alertRows: readonly PlannedWrite[];
  readonly answers: RecordedAlert[];
  readonly after: CurrentState;
}

function alertItemOf(tenantId: TenantId, alert: AlertToRecord, fingerprint: string, incidentId: string | null, listed: boolean) {
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
    // Only alerts that say something new reach the cross-tenant index: an index entry is a write unit.
    ...(listed ? adminIndexKeys.alertsBySeverity(item.severity, receivedAt, tenantId) : {}),
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
    sets.push('#status = :resolved', 'resolved_at = :now', 'GSI1PK = :adminStatus');
    values[':adminStatus'] = adminIndexKeys.incidentsByStatus('resolved', incident.created_at, context.tenantId).GSI1PK;
  } else {
    conditions.push('last_seen >= :windowStart');
    values[':windowStart'] = windowStart({ timeWindowMinutes: context.config.time_window_minutes, autoCorrelate: true }, run.receivedAt).toISOString();
  }
  const Key = incidentKey(context.tenantId, incident.id);
  const update: PlannedWrite = {
    write: {
      Update: {
        TableName: tableName(),
        Key,
        UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      },
    },
    // The count is what must stay exact; a last_seen moved on by an alert that never landed is harmless.
    undo: { Update: { TableName: tableName(), Key, UpdateExpression: 'ADD alert_count :taken', ExpressionAttributeValues: { ':taken': -added } } },
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

/** An opener is between claiming the pointer and writing its incident: wait for it. */
const OPENER_AT_WORK = Symbol('opener at work');

async function readState(context: RecordContext, fingerprint: string, consistent: boolean): Promise<CurrentState | typeof OPENER_AT_WORK> {
  const client = scopedTableClient(context.tenantId);
  const { Item: pointer } = await client.send(
    new GetCommand({ TableName: tableName(), Key: correlationKey(context.tenantId, fingerprint), ConsistentRead: consistent }),
  );
  const pointerIncidentId = typeof pointer?.incident_id === 'string' ? pointer.incident_id : undefined;
  if (!pointerIncidentId) return {};
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName(), Key: incidentKey(context.tenantId, pointerIncidentId), ConsistentRead: consistent }),
  );
  if (Item) return { pointerIncidentId, incident: incidentFromItem(Item) };
  // No incident behind the pointer: its opener is still writing, or died after the claim (then take over).
  const claimedAt = typeof pointer?.claimed_at === 'string' ? Date.parse(pointer.claimed_at) : 0;
  return Date.now() - claimedAt < POINTER_CLAIM_LEASE_MS ? OPENER_AT_WORK : { pointerIncidentId };
}

/** The writes for a run given what was read, and the answer they give once committed. */
function plan(context: RecordContext, run: AlertRun, state: CurrentState): Plan {
  const decision = correlateAlert(
    { status: run.status },
    state.incident ? { id: state.incident.id, status: state.incident.status, lastSeen: state.incident.last_seen } : undefined,
    { timeWindowMinutes: context.config.time_window_minutes, autoCorrelate: context.config.auto_correlate },
    run.receivedAt,
  );
  const listed = crossTenantListed(
    decision.kind,
    decision.kind === 'join' ? state.incident?.severity : undefined,
    run.alerts.map((alert) => alert.input.severity),
  );
  const alertRows = (incidentId: string | null): PlannedWrite[] =>
    run.alerts.map((alert, index) => {
      const Key = alertKey(context.tenantId, alert.id);
      return {
        write: {
          Put: { TableName: tableName(), Item: alertItemOf(context.tenantId, alert, run.fingerprint, incidentId, listed[index]), ConditionExpression: 'attribute_not_exists(PK)' },
        },
        undo: { Delete: { TableName: tableName(), Key } },
      };
    });
  const answer = (incidentId: string | null, opened: boolean) =>
    run.alerts.map((alert, index) => ({ id: alert.id, incident_id: incidentId, new_incident: opened && index === 0 }));

  switch (decision.kind) {
    case 'join':
    case 'resolve': {
      const incident = state.incident as IncidentItem;
      const { update, next } = incidentUpdate(context, run, incident, decision.kind === 'resolve');
      const incidentSide: PlannedWrite[] = [update];
      if (decision.kind === 'resolve') {
        // The next firing alert of this fingerprint must open a new incident.
        incidentSide.push({
          write: {
            Delete: {
              TableName: tableName(),
              Key: correlationKey(context.tenantId, run.fingerprint),
              ConditionExpression: 'incident_id = :incident',
              ExpressionAttributeValues: { ':incident': incident.id },
            },
          },
          doneIfConditionFails: true,
        });
      }
      const after = decision.kind === 'resolve' ? {} : { pointerIncidentId: incident.id, incident: next };
      return { kind: decision.kind, incidentSide, alertRows: alertRows(incident.id), answers: answer(incident.id, false), after };
    }
    case 'open': {
      const incidentId = context.newIncidentId();
      const pointerKey = correlationKey(context.tenantId, run.fingerprint);
      const claimPointer: PlannedWrite = {
        write: {
          Put: {
            TableName: tableName(),
            Item: { ...pointerKey, fingerprint: run.fingerprint, incident_id: incidentId, claimed_at: new Date().toISOString() },
            // Only one writer may move the pointer from what it read: the others re-read and join.
            ConditionExpression: state.pointerIncidentId ? 'incident_id = :previous' : 'attribute_not_exists(PK)',
            ...(state.pointerIncidentId ? { ExpressionAttributeValues: { ':previous': state.pointerIncidentId } } : {}),
          },
        },
        undo: {
          Delete: { TableName: tableName(), Key: pointerKey, ConditionExpression: 'incident_id = :mine', ExpressionAttributeValues: { ':mine': incidentId } },
        },
      };
      const { stored, incident } = newIncident(context, run, incidentId);
      const Key = incidentKey(context.tenantId, incidentId);
      const putIncident: PlannedWrite = {
        write: { Put: { TableName: tableName(), Item: stored, ConditionExpression: 'attribute_not_exists(PK)' } },
        undo: { Delete: { TableName: tableName(), Key } },
      };
      return {
        kind: decision.kind,
        incidentSide: [claimPointer, putIncident],
        alertRows: alertRows(incidentId),
        answers: answer(incidentId, true),
        after: { pointerIncidentId: incidentId, incident },
      };
    }
    case 'unmatched-resolve':
      return { kind: decision.kind, incidentSide: [], alertRows: alertRows(null), answers: answer(null, false), after: state };
  }
}

type CommitOutcome = 'committed' | 'lost-race' | 'alerts-exist';

async function commitAsTransaction(client: DynamoDBDocumentClient, planned: Plan): Promise<CommitOutcome> {
  const items = [...planned.alertRows, ...planned.incidentSide].map((entry) => entry.write);
  try {
    await client.send(new TransactWriteCommand({ TransactItems: items }));
    return 'committed';
  } catch (error) {
    const failed = failedConditionIndexes(error);
    if (failed.some((index) => index < planned.alertRows.length)) return 'alerts-exist';
    if (failed.length > 0 || isTransactionConflict(error)) return 'lost-race';
    throw error;
  }
}

function send(client: DynamoDBDocumentClient, item: TransactItem): Promise<unknown> {
  if (item.Put) return client.send(new PutCommand(item.Put));
  if (item.Update) return client.send(new UpdateCommand(item.Update));
  if (item.Delete) return client.send(new DeleteCommand(item.Delete));
  throw new Error('a planned write is a Put, an Update or a Delete');
}

/** Takes back what a one-by-one commit wrote before it failed, newest first; what cannot be taken back stays. */
async function takeBack(client: DynamoDBDocumentClient, written: readonly PlannedWrite[]): Promise<void> {
  for (const entry of [...written].reverse()) {
    if (entry.undo) await send(client, entry.undo).catch(() => undefined);
  }
}

async function commitOneByOne(client: DynamoDBDocumentClient, planned: Plan): Promise<CommitOutcome> {
  const written: PlannedWrite[] = [];
  for (const entry of planned.incidentSide) {
    try {
      await send(client, entry.write);
      written.push(entry);
    } catch (error) {
      if (isConditionalFailure(error) && entry.doneIfConditionFails) continue;
      await takeBack(client, written);
      if (isConditionalFailure(error)) return 'lost-race';
      throw error;
    }
  }
  const rows = await Promise.allSettled(planned.alertRows.map((entry) => send(client, entry.write)));
  const failure = rows.find((row): row is PromiseRejectedResult => row.status === 'rejected');
  if (failure) {
    await takeBack(client, [...written, ...planned.alertRows.filter((_, index) => rows[index].status === 'fulfilled')]);
    throw failure.reason;
  }
  return 'committed';
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
  const cacheKey = recentKey(context, run.fingerprint);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    // The first try starts from what this function last knew, else reads cheaply; after a lost race, it reads what the winner wrote.
    const remembered = attempt === 0 ? recentIncidents.get(cacheKey) : undefined;
    let planned = remembered ? plan(context, run, remembered) : undefined;
    // Only a join is safe to plan from memory: its conditions check the incident itself. Opening
    // or resolving from a stale memory could split a live incident, so those read first.
    if (planned?.kind !== 'join') {
      const state = await readState(context, run.fingerprint, attempt > 0);
      planned = state === OPENER_AT_WORK ? undefined : plan(context, run, state);
    }
    const outcome = planned ? await (context.atomic ? commitAsTransaction : commitOneByOne)(client, planned) : 'lost-race';
    if (planned && outcome === 'committed') {
      recentIncidents.set(cacheKey, planned.after);
      return planned.answers;
    }
    recentIncidents.delete(cacheKey);
    if (outcome === 'alerts-exist') {
      const existing = await alreadyRecorded(context, run);
      if (existing) return existing;
    }
    await pauseBeforeRetry(attempt);
  }
  throw Object.assign(new Error('could not record the alerts: too much contention'), { name: 'TransactionConflictException' });
}
