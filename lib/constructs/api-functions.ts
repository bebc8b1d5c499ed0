import * as path from 'node:path';
import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/runtime/environment';
import type { RouteFunction } from '../api-routes';
import type { AdminTokenSettings } from './admin-identity';
import { alertWhispererFunction } from './function-defaults';
import type { HttpApi } from './http-api';
import type { TenantAccessRoles } from './tenant-access';

/** Every function folder: `lambdas/<name>/index.ts` exports `handler`. */
export type FunctionName = RouteFunction | 'api-key-authorizer' | 'admin-authorizer';

interface FunctionProfile {
  readonly description: string;
  /** Authorizers answer within API Gateway's wait for them; routes have DynamoDB and STS round trips. */
  readonly timeout: cdk.Duration;
  /** Reads or writes tenant items, so assumes TenantDataAccessRole. */
  readonly tenantData: boolean;
  /** Hashes API keys or signs list cursors, so reads the pepper. */
  readonly pepper: boolean;
}

const ROUTE_TIMEOUT = cdk.Duration.seconds(10);
const AUTHORIZER_TIMEOUT = cdk.Duration.seconds(5);

/** What each function is and what it may reach. The grants below are derived from this table and nothing else. */
export const FUNCTION_PROFILES: Readonly<Record<FunctionName, FunctionProfile>> = {
  health: { description: 'GET /v1/health', timeout: ROUTE_TIMEOUT, tenantData: false, pepper: false },
  alerts: { description: '/v1/alerts*: ingest, correlate, list', timeout: ROUTE_TIMEOUT, tenantData: true, pepper: true },
  incidents: { description: '/v1/incidents*', timeout: ROUTE_TIMEOUT, tenantData: true, pepper: true },
  config: { description: '/v1/config/*', timeout: ROUTE_TIMEOUT, tenantData: true, pepper: true },
  runbooks: { description: '/v1/incidents/{id}/runbooks*', timeout: ROUTE_TIMEOUT, tenantData: true, pepper: true },
  admin: { description: '/admin/v1/*', timeout: ROUTE_TIMEOUT, tenantData: true, pepper: true },
  'api-key-authorizer': { description: 'API key -> tenant (REQUEST authorizer)', timeout: AUTHORIZER_TIMEOUT, tenantData: true, pepper: true },
  'admin-authorizer': { description: 'MSP staff JWT (REQUEST authorizer)', timeout: AUTHORIZER_TIMEOUT, tenantData: false, pepper: false },
};

export const FUNCTION_NAMES = Object.keys(FUNCTION_PROFILES) as FunctionName[];

const LAMBDAS_DIR = path.join(__dirname, '..', '..', 'lambdas');

export type PowertoolsLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface ApiFunctionsProps {
  /** Name of the single table (`TABLE_NAME`). */
  readonly tableName: string;

  /** The API key pepper; functions that hash keys or sign cursors may read it. */
  readonly pepper: secretsmanager.ISecret;

  /** How the admin authorizer verifies staff tokens. */
  readonly adminToken: AdminTokenSettings;

  /**
   * Memory of every function. 512 MB: Lambda gives CPU in proportion to memory, and at 128 MB the cold
   * start (parsing ~1 MB of bundle, HMAC and JWT verification) is several times slower for a cent-level saving.
   * @default 512
   */
  readonly memorySize?: number;

  /**
   * How long function logs are kept.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Powertools log level (`POWERTOOLS_LOG_LEVEL`).
   * @default 'INFO'
   */
  readonly logLevel?: PowertoolsLogLevel;

  /**
   * Powertools metrics namespace (`POWERTOOLS_METRICS_NAMESPACE`).
   * @default 'AlertWhisperer'
   */
  readonly metricsNamespace?: string;
}

/**
 * One `NodejsFunction` per function folder, each with its own execution role and log group.
 * Execution roles get no DynamoDB permission, ever: `useTableAccess` lets them assume the
 * roles of `TenantAccessRoles`, which hold it.
 */
export class ApiFunctions extends Construct {
  /** Every function, by folder name. */
  readonly functions: Readonly<Record<FunctionName, nodejs.NodejsFunction>>;

  /** Every execution role, by folder name. */
  readonly roles: Readonly<Record<FunctionName, iam.Role>>;

  /** The functions behind API routes, as `HttpApi` takes them. */
  readonly routeFunctions: Readonly<Record<RouteFunction, lambda.IFunction>>;

  /** Execution roles of the functions that touch tenant data: the only callers `TenantDataAccessRole` trusts. */
  readonly tenantDataRoles: readonly iam.IRole[];

  constructor(scope: Construct, id: string, props: ApiFunctionsProps) {
    super(scope, id);
    const memorySize = props.memorySize ?? 512;
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10_240) {
      throw new Error(`ApiFunctions: memorySize ${memorySize} is not a Lambda memory size (an integer of 128-10240 MB).`);
    }
    const metricsNamespace = props.metricsNamespace ?? 'AlertWhisperer';

    const functions = {} as Record<FunctionName, nodejs.NodejsFunction>;
    const roles = {} as Record<FunctionName, iam.Role>;
    for (const name of FUNCTION_NAMES) {
      const profile = FUNCTION_PROFILES[name];
      const { fn, role } = alertWhispererFunction(this, pascal(name), {
        entry: path.join(LAMBDAS_DIR, name, 'index.ts'),
        description: `Alert Whisperer ${profile.description}`,
        roleDescription: `Execution role of ${name}: no DynamoDB permission; table access only through assumed roles.`,
        memorySize,
        timeout: profile.timeout,
        logRetention: props.logRetention,
        environment: {
          POWERTOOLS_SERVICE_NAME: `alert-whisperer-${name}`,
          POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
          POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        },
      });
      if (profile.tenantData) fn.addEnvironment(ENV.tableName, props.tableName);
      if (profile.pepper) {
        fn.addEnvironment(ENV.apiKeyPepperSecretArn, props.pepper.secretArn);
        // GetSecretValue only (grantRead would add DescribeSecret); the secret uses the AWS-managed key, so no kms: grant.
        role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.pepper.secretArn] }));
      }
      functions[name] = fn;
      roles[name] = role;
    }

    const token = props.adminToken;
    const adminAuthorizer = functions['admin-authorizer'];
    adminAuthorizer.addEnvironment(ENV.adminJwtIssuer, token.issuer);
    adminAuthorizer.addEnvironment(ENV.adminJwtAudience, token.audience);
    adminAuthorizer.addEnvironment(ENV.adminJwksUrl, token.jwksUrl);
    adminAuthorizer.addEnvironment(ENV.adminGroupsClaim, token.groupsClaim);
    adminAuthorizer.addEnvironment(ENV.adminGroup, token.requiredGroup);

    this.functions = functions;
    this.roles = roles;
    this.routeFunctions = {
      health: functions.health,
      alerts: functions.alerts,
      incidents: functions.incidents,
      config: functions.config,
      runbooks: functions.runbooks,
      admin: functions.admin,
    };
    this.tenantDataRoles = FUNCTION_NAMES.filter((name) => FUNCTION_PROFILES[name].tenantData).map((name) => roles[name]);
  }

  /** Execution role of the admin function: the only caller of the admin read and External ID registry roles. */
  get adminRole(): iam.IRole {
    return this.roles.admin;
  }

  /**
   * Lets the tenant-data functions assume `TenantDataAccessRole` (with the session tag) and the admin
   * function the two admin roles, and tells them the role ARNs. The roles' trust policies already name
   * these callers; this is the identity half that same-account trust through the account principal needs.
   */
  useTableAccess(access: TenantAccessRoles): void {
    for (const name of FUNCTION_NAMES) {
      if (!FUNCTION_PROFILES[name].tenantData) continue;
      this.roles[name].addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['sts:AssumeRole', 'sts:TagSession'], resources: [access.tenantDataAccessRole.roleArn] }),
      );
      this.functions[name].addEnvironment(ENV.tenantDataAccessRoleArn, access.tenantDataAccessRole.roleArn);
    }
    this.roles.admin.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [access.adminReadRole.roleArn, access.externalIdRegistryRole.roleArn] }),
    );
    this.functions.admin.addEnvironment(ENV.adminReadRoleArn, access.adminReadRole.roleArn);
    this.functions.admin.addEnvironment(ENV.externalIdRegistryRoleArn, access.externalIdRegistryRole.roleArn);
  }

  /**
   * Tells the admin function which stage it manages: it creates each tenant's usage plan on that
   * stage and, only when the API key authorizer caches at all, flushes that one stage's authorizer
   * cache on key revocation.
   */
  useRestApi(api: HttpApi): void {
    const admin = this.functions.admin;
    // Ref of the RestApi resource and a literal stage name: the function then depends on the RestApi alone,
    // never on the Stage -> Deployment -> Methods that depend on the function, so no cycle forms.
    admin.addEnvironment(ENV.restApiId, api.restApi.restApiId);
    admin.addEnvironment(ENV.restApiStage, api.stageName);
    admin.addEnvironment(ENV.authorizerCacheTtlSeconds, String(api.apiKeyAuthorizerCacheTtl.toSeconds()));
    api.grantTenantUsagePlanManagement(this.roles.admin);
    NagSuppressions.addResourceSuppressions(
      this.roles.admin,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'Each tenant\'s usage plan is created at runtime (POST /admin/v1/tenants), so its id cannot be named in advance; only POST (add a key) and PATCH (limits) are allowed on it, never DELETE.',
          appliesTo: [
            'Resource::arn:<AWS::Partition>:apigateway:<AWS::Region>::/usageplans/*',
            'Resource::arn:<AWS::Partition>:apigateway:<AWS::Region>::/usageplans/*/keys',
          ],
        },
      ],
      true,
    );
    if (api.apiKeyAuthorizerCacheTtl.toSeconds() > 0) api.grantAuthorizerCacheFlush(this.roles.admin);
  }
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
}
