import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { adminReadPolicy, externalIdRegistryPolicy, TENANT_TAG_KEY, tenantDataAccessPolicy } from '../../lambdas/shared/access/policy-documents';
import type { DataTable } from './data-table';

/** AssumeRole from a Lambda role is role chaining, which STS caps at one hour anyway. */
const MAX_SESSION_DURATION = cdk.Duration.hours(1);

export interface TenantAccessRolesProps {
  /** The table the three roles reach. */
  readonly table: DataTable;

  /**
   * Execution roles of the functions that touch tenant data. Only these may assume
   * `TenantDataAccessRole`, and only with a `tenant_id` session tag.
   */
  readonly tenantDataPrincipals: readonly iam.IRole[];

  /** Execution role of the admin function: the only principal of the admin read and External ID registry roles. */
  readonly adminPrincipal: iam.IRole;
}

/**
 * Layer 3: the only roles in the stack with DynamoDB permissions, each deploying exactly one
 * document of `policy-documents.ts` (the module the local IAM enforcement evaluates), so what
 * the tests prove is what AWS enforces. Execution roles hold none of this: they assume these.
 */
export class TenantAccessRoles extends Construct {
  /** Assumed per request with session tag `tenant_id=<id>`: the tenant's own partitions of the table, no index, nothing else. */
  readonly tenantDataAccessRole: iam.Role;

  /** Query on GSI1 (cross-tenant admin listings) and nothing else. */
  readonly adminReadRole: iam.Role;

  /** Claims and releases `EXTERNALID#<id>` items, which keep External IDs unique across tenants. */
  readonly externalIdRegistryRole: iam.Role;

  constructor(scope: Construct, id: string, props: TenantAccessRolesProps) {
    super(scope, id);
    if (props.tenantDataPrincipals.length === 0) {
      throw new Error('TenantAccessRoles: tenantDataPrincipals is empty, so no function could ever reach tenant data.');
    }
    const account = cdk.Stack.of(this).account;
    const tableArn = props.table.table.tableArn;

    // The account principal narrowed by aws:PrincipalArn, not the role ARNs as principals: IAM rewrites a
    // role principal to its unique id (a re-created role silently loses the trust), and the function roles'
    // sts:AssumeRole grants live in their own AWS::IAM::Policy, so no resource cycle can form either way.
    const callers = (roles: readonly iam.IRole[]) => ({ ArnEquals: { 'aws:PrincipalArn': roles.map((role) => role.roleArn) } });

    this.tenantDataAccessRole = new iam.Role(this, 'TenantDataAccessRole', {
      description: 'Assumed per request with session tag tenant_id: reaches only that tenant\'s items (dynamodb:LeadingKeys).',
      maxSessionDuration: MAX_SESSION_DURATION,
      assumedBy: new iam.AccountPrincipal(account)
        .withConditions({
          ...callers(props.tenantDataPrincipals),
          // The tag must be present and non-empty: an untagged session would make the LeadingKeys pattern "TENANT#".
          StringLike: { [`aws:RequestTag/${TENANT_TAG_KEY}`]: '?*' },
          // ...and no other tag key may ride along.
          'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_TAG_KEY] },
        })
        .withSessionTags(),
      inlinePolicies: {
        TenantData: iam.PolicyDocument.fromJson(tenantDataAccessPolicy({ tableArn })),
      },
    });

    this.adminReadRole = new iam.Role(this, 'AdminReadRole', {
      description: 'Admin function only: Query on the cross-tenant admin index (GSI1).',
      maxSessionDuration: MAX_SESSION_DURATION,
      assumedBy: new iam.AccountPrincipal(account).withConditions(callers([props.adminPrincipal])),
      inlinePolicies: { AdminIndexRead: iam.PolicyDocument.fromJson(adminReadPolicy({ adminIndexArn: props.table.adminIndexArn })) },
    });

    this.externalIdRegistryRole = new iam.Role(this, 'ExternalIdRegistryRole', {
      description: 'Admin function only: claims and releases EXTERNALID# items.',
      maxSessionDuration: MAX_SESSION_DURATION,
      assumedBy: new iam.AccountPrincipal(account).withConditions(callers([props.adminPrincipal])),
      inlinePolicies: { ExternalIdClaims: iam.PolicyDocument.fromJson(externalIdRegistryPolicy({ tableArn })) },
    });
  }
}
