import { Agent } from 'node:https';
import type { STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BoundedLruCache } from '../cache/bounded-lru';
import { ENV, optionalEnv, requiredEnv } from '../runtime/environment';
import type { TenantId } from '../table/tenant-id';
import { createDocumentClient } from './dynamodb-client';
import { TENANT_TAG_KEY } from './policy-documents';
import { RoleSessionCredentials } from './session-credentials';
import type { TableAccess } from './table-access';

export interface StsTableAccessProps {
  readonly tableName: string;
  readonly tenantDataAccessRoleArn: string;
  /** Only the admin function is given one; elsewhere `forAdminIndex` refuses. */
  readonly adminReadRoleArn?: string;
  /** Only the admin function is given one; elsewhere `forExternalIdRegistry` refuses. */
  readonly externalIdRegistryRoleArn?: string;
  readonly sts?: STSClient;
  /** @default 200 tenants per Lambda environment */
  readonly maxTenants?: number;
}

/** Table access in AWS: every client signs with an assumed-role session, tenant-tagged for tenant data. */
export function stsTableAccess(props: StsTableAccessProps): TableAccess {
  const maxTenants = props.maxTenants ?? 200;
  const sessions = new RoleSessionCredentials(props.sts, maxTenants + 1);
  // One socket pool for every tenant's client: clients are per tenant, connections need not be.
  // (Options, not a NodeHttpHandler instance: importing one bundles a second copy of @smithy/core.)
  const requestHandler = { httpsAgent: new Agent({ keepAlive: true, maxSockets: 50 }), connectionTimeout: 1_000, requestTimeout: 5_000 };
  const tenantClients = new BoundedLruCache<TenantId, DynamoDBDocumentClient>(maxTenants);
  const roleClients = new Map<string, DynamoDBDocumentClient>();
  const roleClient = (purpose: string, roleArn: string | undefined) => {
    if (!roleArn) throw new Error(`this function has no ${purpose} role`);
    let client = roleClients.get(purpose);
    if (!client) {
      client = createDocumentClient({ requestHandler, credentials: () => sessions.get(purpose, { roleArn, sessionName: purpose }) });
      roleClients.set(purpose, client);
    }
    return client;
  };

  return {
    tableName: props.tableName,
    forTenant(tenantId) {
      let client = tenantClients.get(tenantId);
      if (!client) {
        client = createDocumentClient({
          requestHandler,
          credentials: () =>
            sessions.get(`tenant:${tenantId}`, {
              roleArn: props.tenantDataAccessRoleArn,
              sessionName: `tenant-${tenantId}`,
              tags: [{ Key: TENANT_TAG_KEY, Value: tenantId }],
            }),
        });
        tenantClients.set(tenantId, client);
      }
      return client;
    },
    forAdminIndex: () => roleClient('admin-read', props.adminReadRoleArn),
    forExternalIdRegistry: () => roleClient('external-id-registry', props.externalIdRegistryRoleArn),
  };
}

export function stsTableAccessFromEnvironment(): TableAccess {
  return stsTableAccess({
    tableName: requiredEnv(ENV.tableName),
    tenantDataAccessRoleArn: requiredEnv(ENV.tenantDataAccessRoleArn),
    adminReadRoleArn: optionalEnv(ENV.adminReadRoleArn),
    externalIdRegistryRoleArn: optionalEnv(ENV.externalIdRegistryRoleArn),
  });
}
