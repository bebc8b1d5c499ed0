import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { externalIdRegistryClient, tableName } from '../access/table-access';
import { EXTERNAL_ID_REGISTRY_PREFIX } from '../access/policy-documents';
import { generateExternalId } from '../domain/aws-integration';
import { isConditionalFailure } from './conditional-writes';
import type { TenantId } from './tenant-id';

/**
 * External IDs are unique across tenants by a conditional write on `EXTERNALID#<id>`, a
 * partition only the registry role may touch: two tenants can never be handed the same ID,
 * whatever the odds of the generator.
 */
const registryKey = (externalId: string) => ({ PK: `${EXTERNAL_ID_REGISTRY_PREFIX}${externalId}`, SK: 'CLAIM' });

export async function reserveExternalId(tenantId: TenantId, generate: () => string = generateExternalId): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const externalId = generate();
    try {
      await externalIdRegistryClient().send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...registryKey(externalId), tenant_id: tenantId, claimed_at: new Date().toISOString() },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return externalId;
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
    }
  }
  throw new Error('could not reserve a unique External ID');
}

/** Gives an ID back when the tenant it was reserved for could not be created. */
export async function releaseExternalId(externalId: string): Promise<void> {
  await externalIdRegistryClient().send(new DeleteCommand({ TableName: tableName(), Key: registryKey(externalId) }));
}
