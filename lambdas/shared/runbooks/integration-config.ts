import { awsIntegrationItemSchema, type AwsIntegrationConfig } from '../domain/aws-integration';
import type { AuditEntry } from '../table/audit';
import { AWS_INTEGRATION_CONFIG_NAME, readConfig, writeConfig } from '../table/tenant-config';
import type { TenantId } from '../table/tenant-id';

/**
 * `CONFIG#aws-integration` through the shared config store (same cache, same audited write).
 * The item is written at tenant creation with its External ID, so it has no defaults: a
 * missing item reads as `undefined` ("no integration"), never as an invented External ID.
 */
const STORED_AWS_INTEGRATION = {
  name: AWS_INTEGRATION_CONFIG_NAME,
  schema: awsIntegrationItemSchema.optional(),
  defaults: undefined,
};

export function readAwsIntegration(tenantId: TenantId): Promise<AwsIntegrationConfig | undefined> {
  return readConfig(tenantId, STORED_AWS_INTEGRATION);
}

/** Replaces the item and writes its audit entry in one transaction. */
export function writeAwsIntegration(tenantId: TenantId, config: AwsIntegrationConfig, audit: AuditEntry): Promise<void> {
  // writeConfig addresses the item by `name` only; a present item needs no defaults.
  return writeConfig(tenantId, { name: AWS_INTEGRATION_CONFIG_NAME, schema: awsIntegrationItemSchema, defaults: config }, config, audit);
}
