/**
 * The physical shape of the single table: attribute and index names.
 * The CDK stack, DynamoDB Local set-up and the local IAM enforcement all read these,
 * so the table that is deployed is the table that is tested.
 */
export const TABLE_KEY = { partitionKey: 'PK', sortKey: 'SK' } as const;

export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /** Non-key attributes copied into the index (INCLUDE): only what never changes, so updates write nothing to it. */
  readonly projectedAttributes: readonly string[];
}

/**
 * Cross-tenant index for MSP staff (`STATUS#…`, `SEVERITY#…`, `TENANTS`). Only the admin
 * read role may query it. It projects only attributes that never change after an item is
 * written (alerts are immutable; an incident's counters are left out), so an alert joining
 * an incident writes nothing to the index; a repeat alert is not in it at all (`crossTenantListed`).
 */
export const ADMIN_INDEX: IndexDefinition = {
  name: 'GSI1',
  partitionKey: 'GSI1PK',
  sortKey: 'GSI1SK',
  projectedAttributes: [
    'tenant_id', 'id', 'name', 'status', 'created_at', 'limits',
    'asset_name', 'signature', 'severity', 'message', 'source', 'fingerprint', 'incident_id', 'occurred_at', 'received_at', 'labels',
  ],
};

/** Epoch-seconds attribute DynamoDB's TTL deletes on (alerts, delivery records, used signatures). */
export const TTL_ATTRIBUTE = 'expires_at';

export const TABLE_INDEXES: readonly IndexDefinition[] = [ADMIN_INDEX];

/** The partition-key attribute DynamoDB checks `dynamodb:LeadingKeys` against, for the table or one of its indexes. */
export function partitionKeyOf(indexName?: string): string {
  if (indexName === undefined) return TABLE_KEY.partitionKey;
  const index = TABLE_INDEXES.find((candidate) => candidate.name === indexName);
  if (!index) throw new Error(`unknown index ${indexName}`);
  return index.partitionKey;
}
