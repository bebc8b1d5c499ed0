import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { adminIndexClient, scopedTableClient, tableName } from '../access/table-access';
import { ConflictError, NotFoundError } from '../http/errors';
import type { AwsIntegrationConfig } from '../domain/aws-integration';
import { isConditionalFailure } from './conditional-writes';
import { AWS_INTEGRATION_CONFIG_NAME } from './tenant-config';
import { apiKeyItemSchema, tenantProfileItemSchema, type ApiKeyItem, type TenantLimits, type TenantProfileItem } from './items';
import { adminIndexKeys, apiKeyKey, configKey, profileKey } from './keys';
import { ADMIN_INDEX } from './table-schema';
import type { TenantId } from './tenant-id';

/** Tenants and their API keys. Each write goes through the tenant's own scoped session, admin or not. */

/** Profile, first API key and the AWS integration (with its External ID) appear together or not at all. */
export async function createTenant(profile: TenantProfileItem, firstKey: ApiKeyItem, awsIntegration: AwsIntegrationConfig): Promise<void> {
  const client = scopedTableClient(profile.tenant_id);
  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: { ...profileKey(profile.tenant_id), ...adminIndexKeys.tenants(profile.created_at, profile.tenant_id), ...profile },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          { Put: { TableName: tableName(), Item: { ...apiKeyKey(profile.tenant_id, firstKey.key_id), ...firstKey } } },
          { Put: { TableName: tableName(), Item: { ...configKey(profile.tenant_id, AWS_INTEGRATION_CONFIG_NAME), ...awsIntegration } } },
        ],
      }),
    );
  } catch (error) {
    if (isConditionalFailure(error)) throw new ConflictError('tenant_exists', 'A tenant with this id already exists.');
    throw error;
  }
}

export async function getTenantProfile(tenantId: TenantId): Promise<TenantProfileItem | undefined> {
  const { Item } = await scopedTableClient(tenantId).send(new GetCommand({ TableName: tableName(), Key: profileKey(tenantId) }));
  return Item ? tenantProfileItemSchema.parse(Item) : undefined;
}

export async function setTenantLimits(tenantId: TenantId, limits: TenantLimits): Promise<TenantProfileItem> {
  try {
    const { Attributes } = await scopedTableClient(tenantId).send(
      new UpdateCommand({
        TableName: tableName(),
        Key: profileKey(tenantId),
        UpdateExpression: 'SET limits = :limits',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':limits': limits },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return tenantProfileItemSchema.parse(Attributes);
  } catch (error) {
    if (isConditionalFailure(error)) throw new NotFoundError('tenant');
    throw error;
  }
}

/** Tenants, newest first, from the admin index: the one listing that needs no tenant session. */
export async function listTenants(limit: number, startKey: Record<string, unknown> | undefined) {
  const { Items = [], LastEvaluatedKey } = await adminIndexClient().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: ADMIN_INDEX.name,
      KeyConditionExpression: `${ADMIN_INDEX.partitionKey} = :tenants`,
      ExpressionAttributeValues: { ':tenants': 'TENANTS' },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return { items: Items.map((item) => tenantProfileItemSchema.parse(item)), lastKey: LastEvaluatedKey };
}

/** Adds a key to an existing tenant; a tenant that does not exist is a 404, not a stray key record. */
export async function addApiKey(tenantId: TenantId, key: ApiKeyItem): Promise<void> {
  try {
    await scopedTableClient(tenantId).send(
      new TransactWriteCommand({
        TransactItems: [
          { ConditionCheck: { TableName: tableName(), Key: profileKey(tenantId), ConditionExpression: 'attribute_exists(PK)' } },
          { Put: { TableName: tableName(), Item: { ...apiKeyKey(tenantId, key.key_id), ...key }, ConditionExpression: 'attribute_not_exists(PK)' } },
        ],
      }),
    );
  } catch (error) {
    if (isConditionalFailure(error)) throw new NotFoundError('tenant');
    throw error;
  }
}

/** Strongly consistent, so that a key revoked a moment ago is refused on the very next request. */
export async function getApiKey(tenantId: TenantId, keyId: string): Promise<ApiKeyItem | undefined> {
  const { Item } = await scopedTableClient(tenantId).send(
    new GetCommand({ TableName: tableName(), Key: apiKeyKey(tenantId, keyId), ConsistentRead: true }),
  );
  return Item ? apiKeyItemSchema.parse(Item) : undefined;
}

export async function revokeApiKey(tenantId: TenantId, keyId: string, at: string): Promise<void> {
  try {
    await scopedTableClient(tenantId).send(
      new UpdateCommand({
        TableName: tableName(),
        Key: apiKeyKey(tenantId, keyId),
        UpdateExpression: 'SET #status = :revoked, revoked_at = if_not_exists(revoked_at, :at)',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':revoked': 'revoked', ':at': at },
      }),
    );
  } catch (error) {
    if (isConditionalFailure(error)) throw new NotFoundError('API key');
    throw error;
  }
}
