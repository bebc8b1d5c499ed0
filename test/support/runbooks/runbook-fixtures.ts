import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { scopedTableClient, tableName } from '../../../lambdas/shared/access/table-access';
import { initialAwsIntegration, type AwsIntegrationConfig } from '../../../lambdas/shared/domain/aws-integration';
import { writeAwsIntegration } from '../../../lambdas/shared/runbooks/integration-config';
import { reserveExternalId } from '../../../lambdas/shared/table/external-ids';
import { auditItemSchema, type AuditItem, type IncidentItem } from '../../../lambdas/shared/table/items';
import { incidentKey, SORT_KEY_PREFIX, tenantPartition } from '../../../lambdas/shared/table/keys';

/** Test data for the runbook tests, written through the tenant's scoped client and the key builders. */

export const CLIENT_ACCOUNT = '222222222222';
export const INSTANCE_ID = 'i-0123456789abcdef0';

/** The PUT-shaped settings of an enabled integration. */
export function enabledSettings(allowed: string[] = ['AW-DiskCleanup', 'AW-CollectDiagnostics'], account = CLIENT_ACCOUNT) {
  return {
    enabled: true,
    account_id: account,
    role_arn: `arn:aws:iam::${account}:role/AlertWhispererMSP`,
    region: 'eu-west-1',
    allowed_runbooks: allowed,
  };
}

/** What tenant creation writes (a reserved, unique External ID, integration off), optionally with settings over it. */
export async function createAwsIntegration(tenantId: string, settings: Partial<AwsIntegrationConfig> = {}): Promise<AwsIntegrationConfig> {
  const config = { ...initialAwsIntegration(await reserveExternalId(tenantId)), ...settings };
  await writeAwsIntegration(tenantId, config, { actor: 'test', action: 'test.seeded', target: 'config/aws-integration' });
  return config;
}

/** An open incident written straight to the tenant's partition. */
export async function createIncident(tenantId: string, at = new Date()): Promise<string> {
  const id = ulid(at.getTime());
  const iso = at.toISOString();
  const incident: IncidentItem = {
    id,
    tenant_id: tenantId,
    status: 'new',
    severity: 'critical',
    priority_score: 90,
    priority_breakdown: { severity: 90, critical_asset: 0, volume: 2, multi_source: 0, age_penalty: 0 },
    critical_asset: false,
    asset_name: INSTANCE_ID,
    signature: 'disk_full',
    fingerprint: `fp-${id}`,
    alert_count: 1,
    alert_ids: [ulid(at.getTime())],
    sources: ['zabbix'],
    first_seen: iso,
    last_seen: iso,
    created_at: iso,
    updated_at: iso,
    runbook_executions: [],
  };
  await scopedTableClient(tenantId).send(new PutCommand({ TableName: tableName(), Item: { ...incidentKey(tenantId, id), ...incident } }));
  return id;
}

export async function auditItems(tenantId: string): Promise<AuditItem[]> {
  const { Items = [] } = await scopedTableClient(tenantId).send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :audit)',
      ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':audit': SORT_KEY_PREFIX.audit },
    }),
  );
  return Items.map((item) => auditItemSchema.parse(item));
}

/** The fields a 400 names. */
export function badFields(answer: { body?: Record<string, unknown> }): string[] {
  const details = (answer.body?.error as { details?: Array<{ field: string }> } | undefined)?.details ?? [];
  return details.map((detail) => detail.field);
}
