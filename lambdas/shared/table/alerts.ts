import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { scopedTableClient, tableName } from '../access/table-access';
import type { Severity } from '../domain/alert-input';
import { alertItemSchema, type AlertItem } from './items';
import { alertKey, SORT_KEY_PREFIX } from './keys';
import { listTenantItems } from './tenant-listing';
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

/** Newest first, within the tenant's own partition. */
export function listAlerts(
  tenantId: TenantId,
  options: { filters: AlertFilters; limit: number; startKey?: Record<string, unknown> },
): Promise<{ items: AlertItem[]; lastKey?: Record<string, unknown> }> {
  return listTenantItems(tenantId, {
    prefix: SORT_KEY_PREFIX.alert,
    equals: { asset_name: options.filters.asset_name, severity: options.filters.severity },
    limit: options.limit,
    startKey: options.startKey,
    parse: (item) => alertItemSchema.parse(item),
  });
}
