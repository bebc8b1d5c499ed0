import * as cdk from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { API_ROUTES, type ApiRoute, type RouteFunction } from '../api-routes';

/**
 * The stage name is the first path segment of every URL. API.md's paths already carry their
 * version (`/v1/…`, `/admin/v1/…`), so the stage is a neutral `api`: `https://<id>.execute-api.<region>.amazonaws.com/api/v1/health`.
 */
export const API_STAGE_NAME = 'api';

/** API Gateway caches authorizer results for at most one hour. */
const MAX_AUTHORIZER_CACHE_TTL_SECONDS = 3600;

/** The one identity source of the API key authorizer when its results are cached: every sender must use it. */
export const CACHED_API_KEY_IDENTITY_SOURCE = apigateway.IdentitySource.header('X-API-Key');

export interface StageThrottle {
  /** Steady-state requests per second across the stage. */
  readonly rateLimit: number;
  /** Burst capacity across the stage. */
  readonly burstLimit: number;
}

export interface HttpApiProps {
  /** The function behind each `RouteFunction` of the route table. */
  readonly routeFunctions: Readonly<Record<RouteFunction, lambda.IFunction>>;

  /** REQUEST authorizer of `auth: 'api-key'` routes. */
  readonly apiKeyAuthorizer: lambda.IFunction;

  /** REQUEST authorizer of `auth: 'admin'` routes. */
  readonly adminAuthorizer: lambda.IFunction;

  /**
   * How long API Gateway caches the API key authorizer's answer. 0 (off) because a REQUEST authorizer's
   * cache key is its identity sources and API Gateway answers 401 without calling the authorizer when any
   * of them is missing (https://docs.aws.amazon.com/apigateway/latest/developerguide/configure-api-gateway-lambda-authorization.html),
   * while API.md accepts a key in `X-API-Key`, `Authorization: Bearer` OR `?api_key=`. With caching off
   * every request reads the key record (half a read unit) and revocation is immediate. A value above 0
   * caches on `X-API-Key` alone, so EVERY sender must then put its key there and nowhere else; the admin
   * function flushes the stage's authorizer cache on revocation.
   * @default cdk.Duration.seconds(0)
   */
  readonly apiKeyAuthorizerCacheTtl?: cdk.Duration;

  /**
   * How long API Gateway caches the admin authorizer's answer, keyed on the `Authorization` header.
   * A cached allow can outlive the token's expiry by at most this long.
   * @default cdk.Duration.minutes(5)
   */
  readonly adminAuthorizerCacheTtl?: cdk.Duration;

  /**
   * Default throttle of every method of the stage (per-tenant limits sit below it).
   * @default { rateLimit: 500, burstLimit: 1000 }
   */
  readonly throttle?: StageThrottle;

  /**
   * How long access logs are kept.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * A regional AWS WAFv2 web ACL to associate with the stage (usually the MSP's shared one).
   * @default undefined: no web ACL
   */
  readonly webAclArn?: string;
}

/**
 * The REST API, built from `API_ROUTES` and nothing else: every route with a Lambda proxy
 * integration to its function and the authorizer its `auth` names, API.md's error shape for
 * every answer API Gateway gives itself, access logs without query strings or headers.
 */
export class HttpApi extends Construct {
  /** The REST API. */
  readonly restApi: apigateway.RestApi;

  /** The one stage, `api`. */
  readonly stageName: string = API_STAGE_NAME;

  /** The API key authorizer's result cache TTL (0: off). */
  readonly apiKeyAuthorizerCacheTtl: cdk.Duration;

  /** Where the stage writes its access log. */
  readonly accessLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    this.apiKeyAuthorizerCacheTtl = props.apiKeyAuthorizerCacheTtl ?? cdk.Duration.seconds(0);
    const adminCacheTtl = props.adminAuthorizerCacheTtl ?? cdk.Duration.minutes(5);
    checkCacheTtl('apiKeyAuthorizerCacheTtl', this.apiKeyAuthorizerCacheTtl);
    checkCacheTtl('adminAuthorizerCacheTtl', adminCacheTtl);
    const throttle = props.throttle ?? { rateLimit: 500, burstLimit: 1000 };
    if (!(throttle.rateLimit > 0) || !Number.isInteger(throttle.burstLimit) || throttle.burstLimit < 1) {
      throw new Error('HttpApi: throttle needs a rateLimit above 0 and a whole burstLimit of at least 1, or the stage would refuse every request.');
    }
    const missing = [...new Set(API_ROUTES.map((route) => route.fn))].filter((fn) => !props.routeFunctions[fn]);
    if (missing.length > 0) throw new Error(`HttpApi: no function given for ${missing.join(', ')}, which the route table names.`);

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: cdk.RemovalPolicy.RETAIN,
    });

    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      description: 'Alert Whisperer: alert ingestion and incident API for MSP tenants and staff.',
      // Regional: webhook senders call from everywhere, and an edge-optimised API adds a CloudFront hop we do not control.
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      // Account-level role that lets API Gateway write the stage's logs (AWS::ApiGateway::Account).
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: cdk.RemovalPolicy.RETAIN,
      // Per-tenant throttling: the API key authorizer returns the tenant's usage plan key as usageIdentifierKey
      // (lambdas/shared/throttling/usage-plans.ts), and API Gateway throttles each tenant on its own plan.
      apiKeySourceType: apigateway.ApiKeySourceType.AUTHORIZER,
      deployOptions: {
        stageName: API_STAGE_NAME,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: accessLogFormat(),
        // Execution logs at ERROR only: INFO would log every request's query string, and `?api_key=` carries keys.
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        tracingEnabled: true,
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
      },
    });

    const apiKeyAuthorizer = new apigateway.RequestAuthorizer(this, 'ApiKeyAuthorizer', {
      handler: props.apiKeyAuthorizer,
      resultsCacheTtl: this.apiKeyAuthorizerCacheTtl,
      identitySources: this.apiKeyAuthorizerCacheTtl.toSeconds() > 0 ? [CACHED_API_KEY_IDENTITY_SOURCE] : [],
    });
    if (this.apiKeyAuthorizerCacheTtl.toSeconds() === 0) {
      // Uncached, no identity source is required (the key may be in any of three places): omit it rather than send "".
      (apiKeyAuthorizer.node.defaultChild as apigateway.CfnAuthorizer).addPropertyDeletionOverride('IdentitySource');
    }
    const adminAuthorizer = new apigateway.RequestAuthorizer(this, 'AdminAuthorizer', {
      handler: props.adminAuthorizer,
      resultsCacheTtl: adminCacheTtl,
      identitySources: [apigateway.IdentitySource.header('Authorization')],
    });

    // One integration per function, one invoke permission per method (scoped to that method, no test-invoke permission).
    const integrations = new Map<RouteFunction, apigateway.LambdaIntegration>();
    const integrationOf = (fn: RouteFunction) => {
      let integration = integrations.get(fn);
      if (!integration) {
        integration = new apigateway.LambdaIntegration(props.routeFunctions[fn], { proxy: true, allowTestInvoke: false });
        integrations.set(fn, integration);
      }
      return integration;
    };
    const authorization = (route: ApiRoute): apigateway.MethodOptions => {
      switch (route.auth) {
        case 'none':
          return { authorizationType: apigateway.AuthorizationType.NONE };
        case 'api-key':
          // apiKeyRequired: usage plans only meter and throttle methods that require a (usage) key.
          return { authorizationType: apigateway.AuthorizationType.CUSTOM, authorizer: apiKeyAuthorizer, apiKeyRequired: true };
        case 'admin':
          return { authorizationType: apigateway.AuthorizationType.CUSTOM, authorizer: adminAuthorizer };
      }
    };
    for (const route of API_ROUTES) {
      const method = this.restApi.root.resourceForPath(route.path).addMethod(route.method, integrationOf(route.fn), authorization(route));
      if (route.auth === 'none') {
        NagSuppressions.addResourceSuppressions(method, [
          { id: 'AwsSolutions-APIG4', reason: `${route.method} ${route.path} is public by the API contract (API.md: scope none); it reveals nothing but liveness.` },
        ]);
      }
    }

    this.addGatewayResponses();

    if (props.webAclArn !== undefined) {
      new wafv2.CfnWebACLAssociation(this, 'WebAcl', { resourceArn: this.restApi.deploymentStage.stageArn, webAclArn: props.webAclArn });
    } else {
      NagSuppressions.addResourceSuppressions(this.restApi.deploymentStage, [
        {
          id: 'AwsSolutions-APIG3',
          reason: 'WAF is opt-in (prop webAclArn / context webAclArn) so the MSP can attach its shared web ACL; authorizers and stage throttling guard the API without it.',
        },
      ]);
    }

    NagSuppressions.addResourceSuppressions(
      this.restApi,
      [
        { id: 'AwsSolutions-APIG2', reason: 'Request validation is off on purpose: every handler validates its body with zod and answers API.md\'s 400 with a details entry per field, which API Gateway validation cannot.' },
        {
          id: 'AwsSolutions-COG4',
          reason: 'Tenant routes take API keys and admin routes take the MSP\'s JWTs (Cognito or an external OIDC issuer); Lambda REQUEST authorizers check both, which a Cognito user pool authorizer cannot.',
        },
        {
          id: 'AwsSolutions-IAM4',
          reason: 'The API Gateway account role for CloudWatch Logs uses AmazonAPIGatewayPushToCloudWatchLogs, the policy AWS documents for exactly this role.',
          appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
        },
      ],
      true,
    );
  }

  /** The stage's URL, `https://<id>.execute-api.<region>.amazonaws.com/api/`. */
  get url(): string {
    return this.restApi.url;
  }

  /**
   * Lets `grantee` flush this stage's authorizer cache (FlushStageAuthorizersCache is
   * `DELETE /restapis/<id>/stages/<stage>/cache/authorizers`, so the IAM action is `apigateway:DELETE`
   * on exactly that path: https://docs.aws.amazon.com/apigateway/latest/api/API_FlushStageAuthorizersCache.html).
   */
  grantAuthorizerCacheFlush(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['apigateway:DELETE'],
      resourceArns: [
        `arn:${cdk.Aws.PARTITION}:apigateway:${cdk.Aws.REGION}::/restapis/${this.restApi.restApiId}/stages/${API_STAGE_NAME}/cache/authorizers`,
      ],
    });
  }

  /**
   * Lets `grantee` create a usage plan and a usage key per tenant and change its limits (admin function:
   * `POST /admin/v1/tenants`, `PUT …/limits`). Plan ids are made at runtime, so `/usageplans/*` is the narrowest ARN.
   */
  grantTenantUsagePlanManagement(grantee: iam.IGrantable): iam.Grant {
    const arn = (resourcePath: string) => `arn:${cdk.Aws.PARTITION}:apigateway:${cdk.Aws.REGION}::${resourcePath}`;
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['apigateway:POST'],
      resourceArns: [arn('/apikeys'), arn('/usageplans'), arn('/usageplans/*/keys')],
    }).combine(iam.Grant.addToPrincipal({ grantee, actions: ['apigateway:PATCH'], resourceArns: [arn('/usageplans/*')] }));
  }

  private addGatewayResponses(): void {
    for (const answer of GATEWAY_RESPONSES) {
      this.restApi.addGatewayResponse(answer.id, {
        type: answer.type,
        statusCode: answer.status,
        responseHeaders: { 'Cache-Control': "'no-store'", 'X-Content-Type-Options': "'nosniff'", ...(answer.retryAfter ? { 'Retry-After': "'1'" } : {}) },
        templates: { 'application/json': JSON.stringify({ error: { code: answer.code, message: answer.message } }) },
      });
    }
  }
}

interface GatewayAnswer {
  readonly id: string;
  readonly type: apigateway.ResponseType;
  /** Absent: keep API Gateway's own status code (the DEFAULT_* families). */
  readonly status?: string;
  readonly code: string;
  readonly message: string;
  readonly retryAfter?: boolean;
}

const UNAVAILABLE = { status: '503', code: 'service_unavailable', message: 'A dependency is unavailable; retry later.', retryAfter: true } as const;
const THROTTLED = { status: '429', code: 'throttled', message: 'Too many requests; retry later.', retryAfter: true } as const;
const FORBIDDEN = { status: '403', code: 'forbidden', message: 'The credentials do not allow this request.' } as const;
const NO_ROUTE = { status: '404', code: 'not_found', message: 'The route was not found.' } as const;

/** Every answer API Gateway gives by itself, in API.md's error shape, with the codes the handlers use. */
const GATEWAY_RESPONSES: readonly GatewayAnswer[] = [
  { id: 'Unauthorized', type: apigateway.ResponseType.UNAUTHORIZED, status: '401', code: 'unauthorized', message: 'Missing or invalid credentials.' },
  { id: 'AccessDenied', type: apigateway.ResponseType.ACCESS_DENIED, ...FORBIDDEN },
  // The tenant's usage key (from the authorizer) is unknown to the stage's usage plans.
  { id: 'InvalidApiKey', type: apigateway.ResponseType.INVALID_API_KEY, ...FORBIDDEN },
  { id: 'AuthorizerFailure', type: apigateway.ResponseType.AUTHORIZER_FAILURE, ...UNAVAILABLE },
  { id: 'AuthorizerConfigurationError', type: apigateway.ResponseType.AUTHORIZER_CONFIGURATION_ERROR, ...UNAVAILABLE },
  { id: 'Throttled', type: apigateway.ResponseType.THROTTLED, ...THROTTLED },
  { id: 'QuotaExceeded', type: apigateway.ResponseType.QUOTA_EXCEEDED, ...THROTTLED },
  { id: 'RequestTooLarge', type: apigateway.ResponseType.REQUEST_TOO_LARGE, status: '413', code: 'payload_too_large', message: 'The body is too large.' },
  // An unknown path or method: a REST API answers it as 403 "Missing Authentication Token"; API.md's clients expect 404.
  { id: 'MissingAuthenticationToken', type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, ...NO_ROUTE },
  { id: 'ResourceNotFound', type: apigateway.ResponseType.RESOURCE_NOT_FOUND, ...NO_ROUTE },
  { id: 'IntegrationFailure', type: apigateway.ResponseType.INTEGRATION_FAILURE, ...UNAVAILABLE },
  { id: 'IntegrationTimeout', type: apigateway.ResponseType.INTEGRATION_TIMEOUT, ...UNAVAILABLE },
  { id: 'Default4xx', type: apigateway.ResponseType.DEFAULT_4XX, code: 'invalid_request', message: 'The request could not be accepted.' },
  { id: 'Default5xx', type: apigateway.ResponseType.DEFAULT_5XX, code: 'internal_error', message: 'The request could not be completed.' },
];

function checkCacheTtl(name: string, ttl: cdk.Duration): void {
  const seconds = ttl.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_AUTHORIZER_CACHE_TTL_SECONDS) {
    throw new Error(`HttpApi: ${name} must be whole seconds from 0 to ${MAX_AUTHORIZER_CACHE_TTL_SECONDS}, the range API Gateway accepts.`);
  }
}

/** JSON lines with the route TEMPLATE (`resourcePath`), never `path`, query string or headers: `?api_key=` must not reach a log. */
function accessLogFormat(): apigateway.AccessLogFormat {
  const field = apigateway.AccessLogField;
  return apigateway.AccessLogFormat.custom(
    JSON.stringify({
      requestId: field.contextRequestId(),
      requestTime: field.contextRequestTime(),
      ip: field.contextIdentitySourceIp(),
      method: field.contextHttpMethod(),
      resourcePath: field.contextResourcePath(),
      status: field.contextStatus(),
      responseLength: field.contextResponseLength(),
      latency: field.contextResponseLatency(),
      integrationLatency: field.contextIntegrationLatency(),
      authorizerLatency: field.contextAuthorizerIntegrationLatency(),
      principalId: field.contextAuthorizerPrincipalId(),
      errorType: field.contextErrorResponseType(),
      xrayTraceId: field.contextXrayTraceId(),
    }),
  );
}
