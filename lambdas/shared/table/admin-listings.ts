import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { adminIndexClient, tableName } from '../access/table-access';
import type { Severity } from '../domain/alert-input';
import { alertItemSchema, type IncidentStatus } from './items';
import { getIncidentsByKeys, incidentResource } from './incidents';
import { isTenantId, type TenantId } from './tenant-id';
import { ADMIN_INDEX } from './table-schema';

/**
 * Cross-tenant listings for MSP staff. The admin read role may only query GSI1; where
 * the index does not hold the whole item (incidents, whose counters change on every
 * alert and are kept out of the index to keep ingest cheap), each item is read through
 * its own tenant's scoped session, like any other access to tenant data.
 */

async function queryAdminIndex(partition: string, limit: number, startKey: Record<string, unknown> | undefined) {
  return adminIndexClient().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: ADMIN_INDEX.name,
      KeyConditionExpression: `${ADMIN_INDEX.partitionKey} = :pk`,
      ExpressionAttributeValues: { ':pk': partition },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
}

export async function listAlertsAcrossTenants(severity: Severity, limit: number, startKey: Record<string, unknown> | undefined) {
  const { Items = [], LastEvaluatedKey } = await queryAdminIndex(`SEVERITY#${severity}`, limit, startKey);
  return { items: Items.map((item) => alertItemSchema.parse(item)), lastKey: LastEvaluatedKey };
}

export async function listIncidentsAcrossTenants(status: IncidentStatus, limit: number, startKey: Record<string, unknown> | undefined, now: Date) {
  const { Items = [], LastEvaluatedKey } = await queryAdminIndex(`STATUS#${status}`, limit, startKey);
  const keysByTenant = new Map<TenantId, Array<{ PK: unknown; SK: unknown }>>();
  for (const item of Items) {
    if (!isTenantId(item.tenant_id)) continue;
    keysByTenant.set(item.tenant_id, [...(keysByTenant.get(item.tenant_id) ?? []), { PK: item.PK, SK: item.SK }]);
  }
  const fetched = await Promise.all([...keysByTenant].map(([tenantId, keys]) => getIncidentsByKeys(tenantId, keys)));
  const byKey = new Map(fetched.flat().map((incident) => [`${incident.tenant_id}/${incident.id}`, incident]));
  const items = Items.flatMap((item) => {
    const incident = byKey.get(`${String(item.tenant_id)}/${String(item.id)}`);
    // The index is eventually consistent: leave out an incident whose status has moved on.
    return incident && incident.status === status ? [incidentResource(incident, now)] : [];
  });
  return { items, lastKey: LastEvaluatedKey };
}
