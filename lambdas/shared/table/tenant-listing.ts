import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { scopedTableClient, tableName } from '../access/table-access';
import { tenantPartition } from './keys';
import type { TenantId } from './tenant-id';

/** DynamoDB applies Limit before a filter; keep reading (a bounded number of pages) until the page is full. */
const MAX_PAGES_PER_LIST = 10;

export interface TenantListing<T> {
  /** The sort-key prefix of the item type (`SORT_KEY_PREFIX.alert`, …). */
  readonly prefix: string;
  /** Attribute = value filters; an undefined value is no filter. */
  readonly equals: Readonly<Record<string, string | undefined>>;
  readonly limit: number;
  readonly startKey?: Record<string, unknown>;
  readonly parse: (item: Record<string, unknown>) => T;
}

/**
 * One page of an item type, newest first, within the tenant's own partition. The filters
 * narrow a list that the key already confines to this tenant: they are never the isolation.
 */
export async function listTenantItems<T>(tenantId: TenantId, listing: TenantListing<T>): Promise<{ items: T[]; lastKey?: Record<string, unknown> }> {
  const filters = Object.entries(listing.equals).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const names = Object.fromEntries(filters.map(([attribute], index) => [`#f${index}`, attribute]));
  const values: Record<string, unknown> = { ':pk': tenantPartition(tenantId), ':prefix': listing.prefix };
  filters.forEach(([, value], index) => (values[`:f${index}`] = value));
  const filterExpression = filters.map((_, index) => `#f${index} = :f${index}`).join(' AND ');

  const items: T[] = [];
  let startKey = listing.startKey;
  for (let page = 0; page < MAX_PAGES_PER_LIST && items.length < listing.limit; page += 1) {
    const { Items = [], LastEvaluatedKey } = await scopedTableClient(tenantId).send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        FilterExpression: filters.length ? filterExpression : undefined,
        ExpressionAttributeNames: filters.length ? names : undefined,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: listing.limit - items.length,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...Items.map(listing.parse));
    startKey = LastEvaluatedKey;
    if (!startKey) break;
  }
  return { items, lastKey: startKey };
}
