import * as cdk from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { ADMIN_INDEX, TABLE_KEY, TTL_ATTRIBUTE, type IndexDefinition } from '../../lambdas/shared/table/table-schema';

export interface DataTableProps {
  /**
   * What happens to the table when it leaves the stack. Every tenant's data lives here.
   * @default cdk.RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: cdk.RemovalPolicy;

  /**
   * DynamoDB deletion protection: a `DeleteTable` call fails until it is turned off.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * The single table of layer 2, shaped by `table-schema.ts` (the same module DynamoDB Local and
 * the local IAM enforcement read): `PK`/`SK`, the cross-tenant admin index GSI1 (INCLUDE of
 * write-once attributes) and TTL. Tenant listings read the tenant's own partition: no tenant index.
 */
export class DataTable extends Construct {
  /** The table. Nothing but the three roles of `TenantAccessRoles` is ever granted access to it. */
  readonly table: dynamodb.Table;

  /** ARN of the cross-tenant admin index (GSI1): the admin read role's only resource. */
  readonly adminIndexArn: string;

  constructor(scope: Construct, id: string, props: DataTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? cdk.RemovalPolicy.RETAIN;
    const deletionProtection = props.deletionProtection ?? true;
    if (removalPolicy === cdk.RemovalPolicy.DESTROY && deletionProtection) {
      throw new Error('DataTable: removalPolicy DESTROY with deletionProtection on would fail every stack deletion; turn deletionProtection off to destroy the table.');
    }

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEY.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEY.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // AWS-managed key (aws/dynamodb): KMS use is logged in CloudTrail, and the three table roles need
      // no kms: grant, so they deploy exactly the documents of policy-documents.ts and nothing more.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection,
      removalPolicy,
    });

    this.addIndex(ADMIN_INDEX);
    this.adminIndexArn = this.indexArn(ADMIN_INDEX);
  }

  /** `<table arn>/index/<name>`: explicit index ARNs, so no policy needs `index/*`. */
  indexArn(index: IndexDefinition): string {
    return `${this.table.tableArn}/index/${index.name}`;
  }

  private addIndex(index: IndexDefinition): void {
    const keys = {
      indexName: index.name,
      partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
    };
    this.table.addGlobalSecondaryIndex({ ...keys, projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...index.projectedAttributes] });
  }
}
