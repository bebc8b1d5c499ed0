import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { scopedTableClient, tableName } from '../access/table-access';
import type { Severity } from '../domain/alert-input';
import { alertItemSchema, type AlertItem } from './items';
import { alertKey, SORT_KEY_PREFIX, tenantPartition } from './keys';
import type { TenantId } from './tenant-id';

/** Alerts of one tenant, read through its scoped session. */

export async function getAlert(tenantId: TenantId, alertId: string): Promise<AlertItem | undefined> {
  const { Item } = await scopedTableClient(tenantId).send(new GetCommand({ TableName: tableName(), Key: alertKey(tenantId, alertId) }));
  return Item ? alertItemSchema.parse(Item) : undefined;
}

export interface AlertFilters {
  readonly asset_name?: string;
  readonly severity?: Severity;
}

/** DynamoDB applies Limit before a filter; keep reading (a bounded number of pages) until the page is full. */
const MAX_PAGES_PER_LIST = 10;

/**
 * Newest first, within the tenant's own partition. The filters narrow a list that the key
 * already confines to this tenant: they are never the isolation.
 */
export async function listAlerts(
  tenantId: TenantId,
  options: { filters: AlertFilters; limit: number; startKey?: Record<string, unknown> },
): Promise<{ items: AlertItem[]; lastKey?: Record<string, unknown> }> {
  const conditions: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':pk': tenantPartition(tenantId), ':prefix': SORT_KEY_PREFIX.alert };
  if (options.filters.asset_name !== undefined) {
    conditions.push('#asset = :asset');
    names['#asset'] = 'asset_name';
    values[':asset'] = options.filters.asset_name;
  }
  if (options.filters.severity !== undefined) {
    conditions.push('#severity = :severity');
    names['#severity'] = 'severity';
    values[':severity'] = options.filters.severity;
  }
  const items: AlertItem[] = [];
  let startKey = options.startKey;
  for (let page = 0; page < MAX_PAGES_PER_LIST && items.length < options.limit; page += 1) {
    const { Items = [], LastEvaluatedKey } = await scopedTableClient(tenantId).send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        FilterExpression: conditions.length ? conditions.join(' AND ') : undefined,
        ExpressionAttributeNames: conditions.length ? names : undefined,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: options.limit - items.length,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...Items.map((item) => alertItemSchema.parse(item)));
    startKey = LastEvaluatedKey;
    if (!startKey) break;
  }
  return { items, lastKey: startKey };
}
