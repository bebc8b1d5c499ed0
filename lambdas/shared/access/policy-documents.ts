/**
 * The IAM policy documents behind layer 3. The CDK stack deploys exactly these documents
 * and the local enforcement (`local-policy-enforcement.ts`) evaluates exactly these, so
 * what the tests prove is what AWS enforces.
 */

export const TENANT_TAG_KEY = 'tenant_id';

/** Every action a tenant session may take. No Scan, no PartiQL, no DescribeTable: Scan carries no leading keys, and `ForAllValues` is vacuously true without them. */
export const TENANT_DATA_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface TenantDataPolicyProps {
  /** ARN of the single table. No index: GSI1 is cross-tenant, and tenant listings read the tenant's own partition. */
  readonly tableArn: string;
}

/**
 * `TenantDataAccessRole`: a session tagged `tenant_id=<id>` may touch only items whose
 * partition key is `TENANT#<id>` or begins with `TENANT#<id>#`. The second pattern keeps
 * its `#` so that tenant `acme` never matches `TENANT#acme2`.
 */
export function tenantDataAccessPolicy({ tableArn }: TenantDataPolicyProps): PolicyDocument {
  const tenantPartition = `TENANT#\${aws:PrincipalTag/${TENANT_TAG_KEY}}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OwnTenantItemsOnly',
        Effect: 'Allow',
        Action: [...TENANT_DATA_ACTIONS],
        Resource: [tableArn],
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [tenantPartition, `${tenantPartition}#*`] },
          // ForAllValues over an empty set is true: refuse any request that carries no leading keys at all.
          Null: { 'dynamodb:LeadingKeys': 'false' },
          // A session without the tag would make the pattern "TENANT#" + nothing; refuse it outright.
          StringLike: { [`aws:PrincipalTag/${TENANT_TAG_KEY}`]: '?*' },
        },
      },
    ],
  };
}

export interface AdminReadPolicyProps {
  /** ARN of the cross-tenant admin index (GSI1). */
  readonly adminIndexArn: string;
}

/** The admin read role: Query on GSI1 and nothing else; admin writes go through the tenant's own scoped session. */
export function adminReadPolicy({ adminIndexArn }: AdminReadPolicyProps): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'CrossTenantIndexQueryOnly', Effect: 'Allow', Action: ['dynamodb:Query'], Resource: [adminIndexArn] }],
  };
}

/** Partition prefix of the cross-tenant External ID registry (`EXTERNALID#<id>`). */
export const EXTERNAL_ID_REGISTRY_PREFIX = 'EXTERNALID#';

export interface ExternalIdRegistryPolicyProps {
  readonly tableArn: string;
}

/**
 * The External ID registry role: claims and releases `EXTERNALID#<id>` items, whose
 * conditional writes make External IDs unique across tenants. It reaches nothing else:
 * no tenant partition, no index.
 */
export function externalIdRegistryPolicy({ tableArn }: ExternalIdRegistryPolicyProps): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ExternalIdClaimsOnly',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
        Resource: [tableArn],
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${EXTERNAL_ID_REGISTRY_PREFIX}*`] },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      },
    ],
  };
}
