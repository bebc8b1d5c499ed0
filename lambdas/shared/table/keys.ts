import { assertTenantId, type TenantId } from './tenant-id';

/**
 * Every key of the single table is built here and nowhere else. Each partition key of
 * tenant data begins with `TENANT#<id>`; that prefix is what `dynamodb:LeadingKeys`
 * confines a scoped session to.
 */
export const tenantPartition = (tenantId: TenantId): string => `TENANT#${assertTenantId(tenantId)}`;

export const SORT_KEY_PREFIX = {
  apiKey: 'APIKEY#',
  alert: 'ALERT#',
  incident: 'INCIDENT#',
  correlation: 'CORR#',
  config: 'CONFIG#',
  audit: 'AUDIT#',
  delivery: 'DELIVERY#',
  signature: 'SIGNATURE#',
} as const;

export const profileKey = (tenantId: TenantId) => ({ PK: tenantPartition(tenantId), SK: 'PROFILE' });
export const apiKeyKey = (tenantId: TenantId, keyId: string) => ({
  PK: tenantPartition(tenantId),
  SK: `${SORT_KEY_PREFIX.apiKey}${keyId}`,
});
export const alertKey = (tenantId: TenantId, alertId: string) => ({
  PK: tenantPartition(tenantId),
  SK: `${SORT_KEY_PREFIX.alert}${alertId}`,
});
export const incidentKey = (tenantId: TenantId, incidentId: string) => ({
  PK: tenantPartition(tenantId),
  SK: `${SORT_KEY_PREFIX.incident}${incidentId}`,
});
export const correlationKey = (tenantId: TenantId, fingerprint: string) => ({
  PK: tenantPartition(tenantId),
  SK: `${SORT_KEY_PREFIX.correlation}${fingerprint}`,
});
export const configKey = (tenantId: TenantId, name: string) => ({
  PK: tenantPartition(tenantId),
  SK: `${SORT_KEY_PREFIX.config}${name}`,
});
export const auditKey = (tenantId: TenantId, auditId: string) => ({
  PK: tenantPartition(tenantId),
  SK: `${SORT_KEY_PREFIX.audit}${auditId}`,
});
export const deliveryKey = (tenantId: TenantId, deliveryId: string) => ({
  PK: tenantPartition(tenantId),
  SK: `${SORT_KEY_PREFIX.delivery}${deliveryId}`,
});
export const usedSignatureKey = (tenantId: TenantId, signature: string) => ({
  PK: tenantPartition(tenantId),
  SK: `${SORT_KEY_PREFIX.signature}${signature}`,
});

/** Admin index (GSI1) keys: cross-tenant, newest first by ISO time, tenant in the sort key. */
export const adminIndexKeys = {
  alertsBySeverity: (severity: string, at: string, tenantId: TenantId) => ({
    GSI1PK: `SEVERITY#${severity}`,
    GSI1SK: `${at}#${tenantPartition(tenantId)}`,
  }),
  incidentsByStatus: (status: string, at: string, tenantId: TenantId) => ({
    GSI1PK: `STATUS#${status}`,
    GSI1SK: `${at}#${tenantPartition(tenantId)}`,
  }),
  tenants: (at: string, tenantId: TenantId) => ({ GSI1PK: 'TENANTS', GSI1SK: `${at}#${tenantPartition(tenantId)}` }),
};
