/**
 * The physical shape of the single table: attribute and index names.
 * The CDK stack, DynamoDB Local set-up and the local IAM enforcement all read these,
 * so the table that is deployed is the table that is tested.
 */
export const TABLE_KEY = { partitionKey: 'PK', sortKey: 'SK' } as const;

/** Cross-tenant index for MSP staff (`STATUS#…`, `SEVERITY#…`, `TENANTS`). Only the admin read role may query it. */
export const ADMIN_INDEX = { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' } as const;

/** Tenant-local index: its partition keys begin with `TENANT#<id>#`, so LeadingKeys still confine it. */
export const TENANT_INDEX = { name: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' } as const;

/** Epoch-seconds attribute DynamoDB's TTL deletes on (alerts, delivery records, used signatures). */
export const TTL_ATTRIBUTE = 'expires_at';

export const TABLE_INDEXES = [ADMIN_INDEX, TENANT_INDEX] as const;
export type TableIndexName = (typeof TABLE_INDEXES)[number]['name'];

/** The partition-key attribute DynamoDB checks `dynamodb:LeadingKeys` against, for the table or one of its indexes. */
export function partitionKeyOf(indexName?: string): string {
  if (indexName === undefined) return TABLE_KEY.partitionKey;
  const index = TABLE_INDEXES.find((candidate) => candidate.name === indexName);
  if (!index) throw new Error(`unknown index ${indexName}`);
  return index.partitionKey;
}
