import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { scopedTableClient, tableName } from '../access/table-access';
import { SIGNATURE_TOLERANCE_SECONDS } from '../auth/webhook-signature';
import { isConditionalFailure } from './conditional-writes';
import { usedSignatureKey } from './keys';
import { TTL_ATTRIBUTE } from './table-schema';
import type { TenantId } from './tenant-id';

/**
 * Remembers a valid signature for as long as its timestamp could be accepted, so it is
 * accepted once only. Returns false if it was already used.
 */
export async function markSignatureUsed(tenantId: TenantId, signature: string, now: Date): Promise<boolean> {
  try {
    await scopedTableClient(tenantId).send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...usedSignatureKey(tenantId, signature), [TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + 2 * SIGNATURE_TOLERANCE_SECONDS },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}
