import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { scopedTableClient, tableName } from '../access/table-access';
import { priorityOf } from '../domain/priority';
import { ConflictError, NotFoundError } from '../http/errors';
import { writeWithAudit, type AuditEntry } from './audit';
import { failedConditionIndexes } from './conditional-writes';
import { incidentItemSchema, type IncidentItem, type IncidentStatus } from './items';
import { adminIndexKeys, incidentKey, SORT_KEY_PREFIX } from './keys';
import { listTenantItems } from './tenant-listing';
import type { TenantId } from './tenant-id';

/** Incidents of one tenant: reads, listings and status changes, all through the tenant's scoped session. */

export function incidentFromItem(item: Record<string, unknown>): IncidentItem {
  return incidentItemSchema.parse(item);
}

/**
 * An incident as the API shows it. The priority is recomputed for `now` because its age
 * penalty grows with time; the stored score is the one computed at the last change.
 */
export function incidentResource(incident: IncidentItem, now: Date) {
  const { score, breakdown } = priorityOf(
    {
      severity: incident.severity,
      criticalAsset: incident.critical_asset,
      alertCount: incident.alert_count,
      sourceCount: incident.sources.length,
      firstSeen: incident.first_seen,
    },
    now,
  );
  const { critical_asset: _criticalAsset, ...resource } = incident;
  return { ...resource, priority_score: score, priority_breakdown: breakdown };
}

/** `consistent` where a write of a moment ago must be seen (finishing a runbook execution just appended). */
export async function getIncident(tenantId: TenantId, incidentId: string, options: { consistent?: boolean } = {}): Promise<IncidentItem | undefined> {
  const { Item } = await scopedTableClient(tenantId).send(
    new GetCommand({ TableName: tableName(), Key: incidentKey(tenantId, incidentId), ConsistentRead: options.consistent }),
  );
  return Item ? incidentFromItem(Item) : undefined;
}

export interface IncidentPage {
  readonly items: IncidentItem[];
  readonly lastKey?: Record<string, unknown>;
}

/**
 * Newest first (incident ids are ULIDs), within the tenant's own partition; `status` narrows
 * it there. A tenant-local status index would cost every new incident one more write unit,
 * and incidents are few next to the alerts they fold.
 */
export function listIncidents(
  tenantId: TenantId,
  options: { status?: IncidentStatus; limit: number; startKey?: Record<string, unknown> },
): Promise<IncidentPage> {
  return listTenantItems(tenantId, {
    prefix: SORT_KEY_PREFIX.incident,
    equals: { status: options.status },
    limit: options.limit,
    startKey: options.startKey,
    parse: incidentFromItem,
  });
}

/** Full items for index keys, in the order given (BatchGet returns them in any order). */
export async function getIncidentsByKeys(tenantId: TenantId, keys: Array<{ PK: unknown; SK: unknown }>): Promise<IncidentItem[]> {
  if (keys.length === 0) return [];
  const client = scopedTableClient(tenantId);
  const found = new Map<string, IncidentItem>();
  let pending: Array<Record<string, unknown>> = keys;
  for (let attempt = 0; pending.length > 0 && attempt < 5; attempt += 1) {
    const { Responses, UnprocessedKeys } = await client.send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending } } }));
    for (const item of Responses?.[tableName()] ?? []) found.set(String(item.SK), incidentFromItem(item));
    pending = UnprocessedKeys?.[tableName()]?.Keys ?? [];
  }
  return keys.flatMap((key) => found.get(String(key.SK)) ?? []);
}

/** Which status changes a technician may make. `resolved` is final. */
export function assertStatusChangeAllowed(from: IncidentStatus): void {
  if (from === 'resolved') throw new ConflictError('incident_resolved', 'The incident is resolved; a resolved incident cannot change.');
}

/** Changes the status (with an audit entry, in one transaction); 404 outside the tenant, 409 once resolved. */
export async function changeIncidentStatus(
  tenantId: TenantId,
  incidentId: string,
  to: Exclude<IncidentStatus, 'new'>,
  audit: Omit<AuditEntry, 'action' | 'target'> & { note?: string },
  now: Date,
): Promise<IncidentItem> {
  const current = await getIncident(tenantId, incidentId);
  if (!current) throw new NotFoundError('incident');
  assertStatusChangeAllowed(current.status);
  const at = now.toISOString();
  const sets = ['#status = :to', 'updated_at = :at', 'GSI1PK = :adminStatus'];
  if (to === 'resolved') sets.push('resolved_at = :at');
  try {
    await writeWithAudit(
      tenantId,
      {
        Update: {
          TableName: tableName(),
          Key: incidentKey(tenantId, incidentId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: '#status = :from',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':to': to,
            ':from': current.status,
            ':at': at,
            ':adminStatus': adminIndexKeys.incidentsByStatus(to, current.created_at, tenantId).GSI1PK,
          },
        },
      },
      {
        actor: audit.actor,
        action: 'incident.status_changed',
        target: `incident/${incidentId}`,
        details: { from: current.status, to, ...(audit.note ? { note: audit.note } : {}) },
      },
      at,
    );
  } catch (error) {
    // Someone changed it between our read and our write: answer from what it is now.
    if (failedConditionIndexes(error).includes(0)) return changeIncidentStatus(tenantId, incidentId, to, audit, now);
    throw error;
  }
  return { ...current, status: to, updated_at: at, ...(to === 'resolved' ? { resolved_at: at } : {}) };
}
