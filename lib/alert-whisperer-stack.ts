import * as cdk from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { AdminIdentity, type AdminOidcSettings } from './constructs/admin-identity';
import { ApiFunctions, type PowertoolsLogLevel } from './constructs/api-functions';
import { AssumeRoleWatchdog } from './constructs/assume-role-watchdog';
import { DataTable } from './constructs/data-table';
import { HttpApi, type StageThrottle } from './constructs/http-api';
import { RunbookWorkflow } from './constructs/runbook-workflow';
import { TenantAccessRoles } from './constructs/tenant-access';

export interface AlertWhispererStackProps extends cdk.StackProps {
  /**
   * Verify MSP staff tokens from this OIDC issuer instead of creating a Cognito user pool.
   * @default undefined: a Cognito user pool with the `msp-admin` group
   */
  readonly adminOidc?: AdminOidcSettings;

  /**
   * API Gateway cache of the API key authorizer's answers. Above 0, every sender must present its key
   * in `X-API-Key` (see `HttpApiProps.apiKeyAuthorizerCacheTtl`).
   * @default cdk.Duration.seconds(0)
   */
  readonly apiKeyAuthorizerCacheTtl?: cdk.Duration;

  /**
   * Default throttle of the API stage.
   * @default { rateLimit: 500, burstLimit: 1000 }
   */
  readonly throttle?: StageThrottle;

  /**
   * A regional WAFv2 web ACL for the API stage.
   * @default undefined: no web ACL
   */
  readonly webAclArn?: string;

  /**
   * Retention of function and access logs.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Powertools log level of every function.
   * @default 'INFO'
   */
  readonly logLevel?: PowertoolsLogLevel;

  /**
   * Email subscribed to the AssumeRole watchdog topic.
   * @default undefined: no subscription
   */
  readonly watchdogEmail?: string;
}

/**
 * The MSP's Alert Whisperer: table, the roles that alone may touch it, the functions, the REST
 * API built from the route table, staff identity, and the AssumeRole watchdog. Environment-agnostic:
 * no lookups, so `cdk synth` runs offline.
 */
export class AlertWhispererStack extends cdk.Stack {
  /** The single table (layer 2). */
  readonly dataTable: DataTable;
  /** One function per folder of `lambdas/`, with its execution role and log group. */
  readonly functions: ApiFunctions;
  /** The Step Functions workflow that runs approved SSM runbooks in client accounts. */
  readonly runbooks: RunbookWorkflow;
  /** The only roles with DynamoDB permissions (layer 3). */
  readonly tenantAccess: TenantAccessRoles;
  /** The REST API built from the route table. */
  readonly api: HttpApi;
  /** MSP staff identity: the Cognito user pool, or the OIDC issuer's settings. */
  readonly adminIdentity: AdminIdentity;
  /** Detective control on AssumeRole of TenantDataAccessRole. */
  readonly watchdog: AssumeRoleWatchdog;
  /** The API key pepper (retained: losing it invalidates every API key). */
  readonly pepper: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: AlertWhispererStackProps = {}) {
    super(scope, id, {
      ...props,
      description: props.description ?? 'Alert Whisperer: multi-tenant alert correlation for MSPs (API, table, tenant-scoped IAM, staff identity).',
      analyticsReporting: props.analyticsReporting ?? false,
    });

    this.dataTable = new DataTable(this, 'Data');

    this.pepper = new secretsmanager.Secret(this, 'ApiKeyPepper', {
      description: 'Alert Whisperer: pepper of API key hashes (HMAC-SHA-256) and root of the cursor signing key. Losing it invalidates every API key.',
      generateSecretString: { excludePunctuation: true, passwordLength: 64 },
      removalPolicy: cdk.RemovalPolicy.RETAIN,
    });
    NagSuppressions.addResourceSuppressions(this.pepper, [
      {
        id: 'AwsSolutions-SMG4',
        reason: 'Rotating the pepper would invalidate every stored API key hash at once; it needs a dual-pepper re-keying release, not a scheduled rotation.',
      },
    ]);

    this.adminIdentity = new AdminIdentity(this, 'AdminIdentity', { oidc: props.adminOidc });

    this.functions = new ApiFunctions(this, 'Functions', {
      tableName: this.dataTable.table.tableName,
      pepper: this.pepper,
      adminToken: this.adminIdentity.tokenSettings,
      logRetention: props.logRetention,
      logLevel: props.logLevel,
    });

    this.runbooks = new RunbookWorkflow(this, 'Runbooks', {
      tableName: this.dataTable.table.tableName,
      logRetention: props.logRetention,
      logLevel: props.logLevel,
    });
    const tenantDataRoles = [...this.functions.tenantDataRoles, ...this.runbooks.tenantDataRoles];

    this.tenantAccess = new TenantAccessRoles(this, 'TenantAccess', {
      table: this.dataTable,
      tenantDataPrincipals: tenantDataRoles,
      adminPrincipal: this.functions.adminRole,
    });
    this.functions.useTableAccess(this.tenantAccess);
    this.runbooks.useTableAccess(this.tenantAccess.tenantDataAccessRole);
    this.runbooks.grantStart(this.functions.functions.runbooks);

    this.api = new HttpApi(this, 'Api', {
      routeFunctions: this.functions.routeFunctions,
      apiKeyAuthorizer: this.functions.functions['api-key-authorizer'],
      adminAuthorizer: this.functions.functions['admin-authorizer'],
      apiKeyAuthorizerCacheTtl: props.apiKeyAuthorizerCacheTtl,
      throttle: props.throttle,
      logRetention: props.logRetention,
      webAclArn: props.webAclArn,
    });
    this.functions.useRestApi(this.api);

    this.watchdog = new AssumeRoleWatchdog(this, 'AssumeRoleWatchdog', {
      watchedRole: this.tenantAccess.tenantDataAccessRole,
      expectedCallers: tenantDataRoles,
      notificationEmail: props.watchdogEmail,
    });

    NagSuppressions.addResourceSuppressions(
      this.functions,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions (Service Authorization Reference), so active tracing needs Resource *.',
          appliesTo: ['Resource::*'],
        },
        {
          id: 'AwsSolutions-L1',
          reason: 'Node.js 22 is pinned on purpose: the handlers, Middy 6 and the SDK lock are tested on the Node 22 major; moving to 24 is a deliberate upgrade.',
        },
      ],
      true,
    );

    new cdk.CfnOutput(this, 'ApiUrl', { description: 'Base URL: append v1/... or admin/v1/... (API.md paths).', value: this.api.url });
    new cdk.CfnOutput(this, 'TableName', { description: 'The single table.', value: this.dataTable.table.tableName });
    new cdk.CfnOutput(this, 'AdminJwtIssuer', { description: 'Issuer the admin authorizer accepts.', value: this.adminIdentity.tokenSettings.issuer });
    if (this.adminIdentity.userPool && this.adminIdentity.userPoolClient) {
      new cdk.CfnOutput(this, 'UserPoolId', { description: 'MSP staff user pool (group msp-admin).', value: this.adminIdentity.userPool.userPoolId });
      new cdk.CfnOutput(this, 'UserPoolClientId', { description: 'App client that staff tokens are issued to.', value: this.adminIdentity.userPoolClient.userPoolClientId });
    }
    new cdk.CfnOutput(this, 'RunbookStateMachineArn', { description: 'The runbook workflow (Step Functions).', value: this.runbooks.stateMachine.stateMachineArn });
    new cdk.CfnOutput(this, 'WatchdogTopicArn', { description: 'Subscribe here for AssumeRole anomalies.', value: this.watchdog.topic.topicArn });
  }
}
