import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { scopedTableClient, tableName } from '../access/table-access';
import type { Caller } from '../auth/caller';
import type { TransactItem } from './conditional-writes';
import type { AuditItem } from './items';
import { auditKey } from './keys';
import type { TenantId } from './tenant-id';

/** Who did it, as the audit log names them: the API key id, or the admin's token subject. */
export function actorOf(caller: Caller): string {
  return caller.kind === 'tenant' ? `key:${caller.keyId}` : `admin:${caller.subject}`;
}

export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly details?: Record<string, unknown>;
}

/** The `AUDIT#` item for a change, for writers that put it in their own transaction. */
export function auditItem(tenantId: TenantId, entry: AuditEntry, at: string) {
  const id = ulid(Date.parse(at));
  const item: AuditItem = { id, tenant_id: tenantId, at, ...entry };
  return { ...auditKey(tenantId, id), ...item };
}

export async function recordAudit(tenantId: TenantId, entry: AuditEntry, at = new Date().toISOString()): Promise<void> {
  await scopedTableClient(tenantId).send(
    new PutCommand({ TableName: tableName(), Item: auditItem(tenantId, entry, at), ConditionExpression: 'attribute_not_exists(PK)' }),
  );
}

/**
 * A change and its `AUDIT#` entry in one transaction, so the data and the audit log never
 * disagree. The change comes first: `failedConditionIndexes(error).includes(0)` tells the
 * caller its condition failed.
 */
export async function writeWithAudit(tenantId: TenantId, change: TransactItem, entry: AuditEntry, at: string): Promise<void> {
  await scopedTableClient(tenantId).send(
    new TransactWriteCommand({ TransactItems: [change, { Put: { TableName: tableName(), Item: auditItem(tenantId, entry, at) } }] }),
  );
}
