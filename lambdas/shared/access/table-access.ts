import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { assertTenantId, type TenantId } from '../table/tenant-id';
import { stsTableAccessFromEnvironment } from './sts-table-access';

/**
 * Where table clients come from. In AWS every client runs as an STS session of
 * `TenantDataAccessRole` (tagged with the tenant) or of the admin read role; locally and in
 * tests, `bin/local.ts` and the test set-up install an implementation that evaluates every
 * request against the same policy documents.
 */
export interface TableAccess {
  /** A client whose every request is made as `tenantId`'s scoped session. */
  forTenant(tenantId: TenantId): DynamoDBDocumentClient;
  /** A client whose requests are made as the admin read role (GSI1 Query only). */
  forAdminIndex(): DynamoDBDocumentClient;
  /** A client whose requests are made as the External ID registry role (`EXTERNALID#` items only). */
  forExternalIdRegistry(): DynamoDBDocumentClient;
  /** The table every client addresses. */
  readonly tableName: string;
}

let installed: TableAccess | undefined;

/** Replaces the table access of this process (local server, tests). */
export function useTableAccess(access: TableAccess): void {
  installed = access;
}

function tableAccess(): TableAccess {
  installed ??= stsTableAccessFromEnvironment();
  return installed;
}

/** The one door to tenant data: a DynamoDB document client confined to `tenantId`'s items. */
export function scopedTableClient(tenantId: TenantId): DynamoDBDocumentClient {
  return tableAccess().forTenant(assertTenantId(tenantId));
}

/** The door to the cross-tenant admin index, for MSP staff listings only. */
export function adminIndexClient(): DynamoDBDocumentClient {
  return tableAccess().forAdminIndex();
}

/** The door to the External ID registry, for tenant creation only. */
export function externalIdRegistryClient(): DynamoDBDocumentClient {
  return tableAccess().forExternalIdRegistry();
}

export function tableName(): string {
  return tableAccess().tableName;
}
