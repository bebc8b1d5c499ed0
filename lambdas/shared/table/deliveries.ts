import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { scopedTableClient, tableName } from '../access/table-access';
import { isConditionalFailure } from './conditional-writes';
import { deliveryKey } from './keys';
import { TTL_ATTRIBUTE } from './table-schema';
import type { TenantId } from './tenant-id';

/**
 * `X-Delivery-ID`: a sender's retry of one delivery must not count twice. The first
 * request claims the id (with the alert ids it will use); a retry within 24 h gets the
 * first answer back, or, if the first attempt never finished, finishes it with the SAME
 * alert ids, which the alert writes then recognise.
 */
export const DELIVERY_RETENTION_SECONDS = 24 * 3600;

const claimSchema = z.object({
  state: z.enum(['pending', 'completed']),
  alert_ids: z.array(z.string()),
  received_at: z.string(),
  answer: z.unknown().optional(),
  [TTL_ATTRIBUTE]: z.number(),
});
export type DeliveryClaim = z.infer<typeof claimSchema>;

/** Sender strings become a fixed-length key, so no character a sender chooses reaches the sort key. */
function deliveryKeyFor(tenantId: TenantId, deliveryId: string) {
  return deliveryKey(tenantId, createHash('sha256').update(deliveryId, 'utf8').digest('base64url'));
}

export async function claimDelivery(
  tenantId: TenantId,
  deliveryId: string,
  proposal: { alertIds: string[]; receivedAt: Date },
): Promise<{ claimed: true } | { claimed: false; existing: DeliveryClaim }> {
  const nowSeconds = Math.floor(proposal.receivedAt.getTime() / 1000);
  const client = scopedTableClient(tenantId);
  const Key = deliveryKeyFor(tenantId, deliveryId);
  try {
    await client.send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...Key, state: 'pending', alert_ids: proposal.alertIds, received_at: proposal.receivedAt.toISOString(), [TTL_ATTRIBUTE]: nowSeconds + DELIVERY_RETENTION_SECONDS },
        // TTL deletion lags; an expired claim is as good as none.
        ConditionExpression: `attribute_not_exists(PK) OR ${TTL_ATTRIBUTE} < :now`,
        ExpressionAttributeValues: { ':now': nowSeconds },
      }),
    );
    return { claimed: true };
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
  }
  const { Item } = await client.send(new GetCommand({ TableName: tableName(), Key, ConsistentRead: true }));
  return { claimed: false, existing: claimSchema.parse(Item) };
}

export async function completeDelivery(tenantId: TenantId, deliveryId: string, answer: unknown): Promise<void> {
  await scopedTableClient(tenantId).send(
    new UpdateCommand({
      TableName: tableName(),
      Key: deliveryKeyFor(tenantId, deliveryId),
      UpdateExpression: 'SET #state = :completed, answer = :answer',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':completed': 'completed', ':answer': answer },
    }),
  );
}
