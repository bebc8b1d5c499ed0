import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { App, CfnElement, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { ALERT_SOURCES, API_ROUTES, routesOf, type ApiRoute, type RouteFunction } from '../../lib/api-routes';
import { AlertWhispererStack } from '../../lib/alert-whisperer-stack';
import { AdminIdentity, adminOidcFromContext } from '../../lib/constructs/admin-identity';
import { ApiFunctions, FUNCTION_NAMES, FUNCTION_PROFILES, type FunctionName } from '../../lib/constructs/api-functions';
import { AssumeRoleWatchdog } from '../../lib/constructs/assume-role-watchdog';
import { DataTable } from '../../lib/constructs/data-table';
import { API_STAGE_NAME, HttpApi } from '../../lib/constructs/http-api';
import { TenantAccessRoles } from '../../lib/constructs/tenant-access';
import { CHOICE_STATE, RUNBOOK_TASK_NAMES, RUNBOOK_TASKS, runbookDefinition, WAIT_STATE, type RunbookTask } from '../../lib/runbook-definition';
import { adminReadPolicy, externalIdRegistryPolicy, TENANT_TAG_KEY, tenantDataAccessPolicy } from '../../lambdas/shared/access/policy-documents';
import { ENV } from '../../lambdas/shared/runtime/environment';
import { CLIENT_ROLE_NAME } from '../../lambdas/shared/domain/aws-integration';
import { ADMIN_INDEX, TTL_ATTRIBUTE } from '../../lambdas/shared/table/table-schema';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: Json;
  Principal?: Json;
  Condition?: JsonObject;
}

// One synthesis for the whole file: bundling thirteen functions (eight API, five runbook tasks) is the slow part.
let stack: AlertWhispererStack;
let template: Template;
let resources: Record<string, JsonObject>;

beforeAll(() => {
  const app = new App();
  stack = new AlertWhispererStack(app, 'AlertWhisperer');
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, JsonObject>;
}, 120_000);

// ---------------------------------------------------------------- template helpers

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function propsOf(logicalId: string): JsonObject {
  const properties = resources[logicalId]?.Properties;
  if (!isObject(properties)) throw new Error(`${logicalId} has no Properties`);
  return properties;
}

function ofType(type: string): [string, JsonObject][] {
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id]) => [id, propsOf(id)]);
}

function logicalIdOf(construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

function functionId(name: FunctionName): string {
  return logicalIdOf(stack.functions.functions[name]);
}

function roleId(role: iam.IRole): string {
  return logicalIdOf(role);
}

function taskFunctionId(task: RunbookTask): string {
  return logicalIdOf(stack.runbooks.functions[task]);
}

/** A runbook task's execution role, as its function holds it (the construct keeps its role map private). */
function taskRole(task: RunbookTask): iam.IRole {
  const role = stack.runbooks.functions[task].role;
  if (!role) throw new Error(`runbook task ${task} has no role`);
  return role;
}

/** The only tasks that talk to a client account, so the only roles that may assume the client role. */
const CLIENT_ROLE_TASKS: readonly RunbookTask[] = ['sendCommand', 'pollCommand', 'cancelCommand'];

/** Every identity statement of a role: its inline policies and every AWS::IAM::Policy attached to it. */
function statementsOfRole(logicalId: string): Statement[] {
  const inline = asList(propsOf(logicalId).Policies).flatMap((policy) =>
    isObject(policy) && isObject(policy.PolicyDocument) ? asList(policy.PolicyDocument.Statement) : [],
  );
  const attached = ofType('AWS::IAM::Policy')
    .filter(([, policy]) => asList(policy.Roles).some((ref) => isObject(ref) && ref.Ref === logicalId))
    .flatMap(([, policy]) => (isObject(policy.PolicyDocument) ? asList(policy.PolicyDocument.Statement) : []));
  return [...inline, ...attached] as unknown as Statement[];
}

function trustOf(logicalId: string): Statement[] {
  const document = propsOf(logicalId).AssumeRolePolicyDocument;
  return (isObject(document) ? asList(document.Statement) : []) as unknown as Statement[];
}

function actionsOf(statements: Statement[]): string[] {
  return statements.flatMap((statement) => asList(statement.Action));
}

const getAttArn = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/AlertWhisperer-Data`;

/** Resolves the intrinsics this stack's policies use, the table's ARN to TABLE_ARN. */
function resolve(value: Json): Json {
  if (Array.isArray(value)) return value.map(resolve);
  if (!isObject(value)) return value;
  if (typeof value.Ref === 'string') {
    const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' };
    return pseudo[value.Ref] ?? `ref:${value.Ref}`;
  }
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt)) {
    return getAtt[0] === logicalIdOf(stack.dataTable.table) && getAtt[1] === 'Arn' ? TABLE_ARN : `getatt:${getAtt.join('.')}`;
  }
  const join = value['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return join[1].map((part) => String(resolve(part))).join(join[0]);
  }
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolve(inner)]));
}

/** The full path of every AWS::ApiGateway::Resource, from its PathPart and ParentId chain. */
function resourcePaths(): Map<string, string> {
  const paths = new Map<string, string>();
  const pathOf = (logicalId: string): string => {
    const known = paths.get(logicalId);
    if (known !== undefined) return known;
    const properties = propsOf(logicalId);
    const parent = properties.ParentId;
    const parentPath = isObject(parent) && typeof parent.Ref === 'string' ? pathOf(parent.Ref) : '';
    const path = `${parentPath}/${String(properties.PathPart)}`;
    paths.set(logicalId, path);
    return path;
  };
  for (const [id] of ofType('AWS::ApiGateway::Resource')) pathOf(id);
  return paths;
}

function methodOf(route: ApiRoute): JsonObject {
  const paths = resourcePaths();
  const matches = ofType('AWS::ApiGateway::Method').filter(([, method]) => {
    const resource = method.ResourceId;
    const path = isObject(resource) && typeof resource.Ref === 'string' ? paths.get(resource.Ref) : '/';
    return method.HttpMethod === route.method && path === route.path;
  });
  expect(matches).toHaveLength(1);
  return matches[0]![1];
}

// ---------------------------------------------------------------- layer 2: the table

describe('DataTable', () => {
  it('keys every item by PK/SK strings, on demand, with TTL, PITR and KMS encryption', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        // SSEEnabled without a key id: KMS with the AWS-managed key aws/dynamodb.
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('has one index, the admin index GSI1 (INCLUDE of the write-once attributes)', () => {
    const [[, table]] = ofType('AWS::DynamoDB::Table') as [[string, JsonObject]];
    const indexes = asList(table.GlobalSecondaryIndexes).filter(isObject);
    expect(indexes.map((index) => index.IndexName)).toEqual([ADMIN_INDEX.name]);
    const [gsi1] = indexes;
    expect(gsi1.KeySchema).toEqual([
      { AttributeName: ADMIN_INDEX.partitionKey, KeyType: 'HASH' },
      { AttributeName: ADMIN_INDEX.sortKey, KeyType: 'RANGE' },
    ]);
    expect(gsi1.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: [...ADMIN_INDEX.projectedAttributes] });
  });
});

// ---------------------------------------------------------------- layer 3: IAM

describe('IAM: only the three table roles touch DynamoDB', () => {
  const tableRoleIds = () => [stack.tenantAccess.tenantDataAccessRole, stack.tenantAccess.adminReadRole, stack.tenantAccess.externalIdRegistryRole].map(roleId);

  it('grants dynamodb: actions in the policies of TenantDataAccessRole, AdminReadRole and ExternalIdRegistryRole only', () => {
    const withDynamo = ofType('AWS::IAM::Role')
      .filter(([id]) => actionsOf(statementsOfRole(id)).some((action) => /^dynamodb:/i.test(action)))
      .map(([id]) => id);
    expect(withDynamo.sort()).toEqual(tableRoleIds().sort());
    // No managed policy or stray policy document anywhere else carries one either.
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    for (const [, policy] of ofType('AWS::IAM::Policy')) {
      expect(JSON.stringify(policy.PolicyDocument)).not.toMatch(/dynamodb:/i);
    }
  });

  it('gives no Lambda execution role any dynamodb permission and no wildcard action', () => {
    const executionRoles = ofType('AWS::IAM::Role').filter(([, role]) => JSON.stringify(role.AssumeRolePolicyDocument).includes('lambda.amazonaws.com'));
    // The API function roles and the runbook task roles, nothing else (the state machine's role trusts states.amazonaws.com).
    expect(executionRoles.map(([id]) => id).sort()).toEqual(
      [...FUNCTION_NAMES.map((name) => roleId(stack.functions.roles[name])), ...RUNBOOK_TASK_NAMES.map((task) => roleId(taskRole(task)))].sort(),
    );
    for (const [id] of executionRoles) {
      const actions = actionsOf(statementsOfRole(id));
      expect(actions.filter((action) => /^dynamodb:/i.test(action))).toEqual([]);
      expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    }
  });

  it('never grants Scan, PartiQL or dynamodb:* anywhere', () => {
    const text = JSON.stringify(resources);
    expect(text).not.toMatch(/dynamodb:(Scan|PartiQL|\*)/i);
  });

  it('deploys exactly the documents of policy-documents.ts', () => {
    const inlineDocument = (role: iam.IRole) => {
      const [policy] = asList(propsOf(roleId(role)).Policies).filter(isObject);
      return resolve(policy!.PolicyDocument as Json);
    };
    // Compare as IAM reads them: CDK sorts actions and writes a one-element list as a string.
    const normalised = (document: Json) =>
      JSON.parse(JSON.stringify(document), (key, value: Json) => {
        const list = (key === 'Action' || key === 'Resource') && typeof value === 'string' ? [value] : value;
        return Array.isArray(list) && list.every((item) => typeof item === 'string') ? [...list].sort() : list;
      }) as Json;
    const gsi1 = `${TABLE_ARN}/index/${ADMIN_INDEX.name}`;
    expect(normalised(inlineDocument(stack.tenantAccess.tenantDataAccessRole))).toEqual(
      normalised(tenantDataAccessPolicy({ tableArn: TABLE_ARN }) as unknown as Json),
    );
    expect(normalised(inlineDocument(stack.tenantAccess.adminReadRole))).toEqual(normalised(adminReadPolicy({ adminIndexArn: gsi1 }) as unknown as Json));
    expect(normalised(inlineDocument(stack.tenantAccess.externalIdRegistryRole))).toEqual(
      normalised(externalIdRegistryPolicy({ tableArn: TABLE_ARN }) as unknown as Json),
    );
  });

  it('confines TenantDataAccessRole to its LeadingKeys and the table itself, never an index', () => {
    const statements = statementsOfRole(roleId(stack.tenantAccess.tenantDataAccessRole));
    const resolvedResources = statements.flatMap((statement) => asList(resolve(statement.Resource ?? null)));
    expect(resolvedResources).toEqual([TABLE_ARN]);
    expect(resolvedResources.some((arn) => String(arn).includes('/index/'))).toBe(false);
    expect(resolvedResources.some((arn) => String(arn).includes('*'))).toBe(false);
  });

  it('puts the tenant LeadingKeys condition on TenantDataAccessRole only', () => {
    const tenantPattern = `TENANT#\${aws:PrincipalTag/${TENANT_TAG_KEY}}`;
    const holders = ofType('AWS::IAM::Role')
      .filter(([id]) => JSON.stringify(statementsOfRole(id)).includes(tenantPattern))
      .map(([id]) => id);
    expect(holders).toEqual([roleId(stack.tenantAccess.tenantDataAccessRole)]);
  });

  it('lets TenantDataAccessRole be assumed only by the tenant-data function roles and the runbook task roles, with sts:TagSession and a tenant_id tag only', () => {
    const tenantDataFunctions = FUNCTION_NAMES.filter((name) => FUNCTION_PROFILES[name].tenantData);
    expect([...tenantDataFunctions].sort()).toEqual(['admin', 'alerts', 'api-key-authorizer', 'config', 'incidents', 'runbooks']);
    // Every task reads or writes tenant data: the workflow's tenant-data roles are exactly its five task roles.
    expect([...RUNBOOK_TASK_NAMES].sort()).toEqual(['cancelCommand', 'loadConfig', 'pollCommand', 'recordResult', 'sendCommand']);
    expect(stack.runbooks.tenantDataRoles.map(roleId)).toEqual(RUNBOOK_TASK_NAMES.map((task) => roleId(taskRole(task))));
    const trust = trustOf(roleId(stack.tenantAccess.tenantDataAccessRole));
    expect(trust).toHaveLength(1);
    const [statement] = trust;
    expect(statement!.Effect).toBe('Allow');
    expect(asList(statement!.Action).sort()).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(resolve(statement!.Principal ?? null)).toEqual({ AWS: `arn:aws:iam::${ACCOUNT}:root` });
    expect(statement!.Condition).toEqual({
      ArnEquals: {
        'aws:PrincipalArn': [
          ...tenantDataFunctions.map((name) => getAttArn(roleId(stack.functions.roles[name]))),
          ...stack.runbooks.tenantDataRoles.map((role) => getAttArn(roleId(role))),
        ],
      },
      StringLike: { [`aws:RequestTag/${TENANT_TAG_KEY}`]: '?*' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_TAG_KEY] },
    });
    expect(propsOf(roleId(stack.tenantAccess.tenantDataAccessRole)).MaxSessionDuration).toBe(3600);
  });

  it('lets only the admin function role assume the admin read and External ID registry roles', () => {
    for (const role of [stack.tenantAccess.adminReadRole, stack.tenantAccess.externalIdRegistryRole]) {
      const trust = trustOf(roleId(role));
      expect(trust).toHaveLength(1);
      expect(trust[0]!.Action).toBe('sts:AssumeRole');
      expect(trust[0]!.Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': [getAttArn(roleId(stack.functions.roles.admin))] } });
    }
  });

  it.each(FUNCTION_NAMES)('gives the %s execution role exactly the sts, secret and API Gateway grants it needs', (name) => {
    const statements = statementsOfRole(roleId(stack.functions.roles[name]));
    const grantsOf = (prefix: RegExp) =>
      statements
        .filter((statement) => asList(statement.Action).some((action) => prefix.test(action)))
        .map((statement) => ({ actions: asList(statement.Action).sort(), resources: asList(statement.Resource) }));
    const tenantRole = getAttArn(roleId(stack.tenantAccess.tenantDataAccessRole));
    const profile = FUNCTION_PROFILES[name];

    const expectedSts = profile.tenantData ? [{ actions: ['sts:AssumeRole', 'sts:TagSession'], resources: [tenantRole] }] : [];
    if (name === 'admin') {
      expectedSts.push({
        actions: ['sts:AssumeRole'],
        resources: [getAttArn(roleId(stack.tenantAccess.adminReadRole)), getAttArn(roleId(stack.tenantAccess.externalIdRegistryRole))],
      });
    }
    expect(grantsOf(/^sts:/)).toEqual(expectedSts);
    expect(grantsOf(/^secretsmanager:/)).toEqual(profile.pepper ? [{ actions: ['secretsmanager:GetSecretValue'], resources: [{ Ref: logicalIdOf(stack.pepper) }] }] : []);
    expect(grantsOf(/^states:/)).toEqual(
      name === 'runbooks' ? [{ actions: ['states:StartExecution'], resources: [{ Ref: logicalIdOf(stack.runbooks.stateMachine) }] }] : [],
    );

    const apiGateway = grantsOf(/^apigateway:/).map((grant) => ({ ...grant, resources: grant.resources.map((arn) => resolve(arn)) }));
    if (name === 'admin') {
      const arn = (path: string) => `arn:aws:apigateway:${REGION}::${path}`;
      // Usage plans per tenant; no authorizer cache flush while the API key authorizer does not cache.
      expect(apiGateway).toEqual([
        { actions: ['apigateway:POST'], resources: [arn('/apikeys'), arn('/usageplans'), arn('/usageplans/*/keys')] },
        { actions: ['apigateway:PATCH'], resources: [arn('/usageplans/*')] },
      ]);
    } else {
      expect(apiGateway).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------- runbook workflow IAM

describe('IAM: the runbook workflow', () => {
  const ordered = <T>(grants: T[]): T[] => [...grants].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  /** Statements as grants, order-free: effect, sorted actions, resolved resources, condition. */
  const grantsOf = (statements: Statement[]) =>
    ordered(
      statements.map((statement) => ({
        effect: statement.Effect,
        actions: asList(statement.Action).sort(),
        resources: asList(resolve(statement.Resource ?? null)).map(String).sort(),
        condition: statement.Condition ?? null,
      })),
    );
  const clientRoleArns = [`arn:aws:iam::*:role/${CLIENT_ROLE_NAME}`, `arn:aws:iam::*:role/*/${CLIENT_ROLE_NAME}`];
  const clientRoleGrant = { effect: 'Allow', actions: ['sts:AssumeRole'], resources: [...clientRoleArns].sort(), condition: { StringLike: { 'sts:ExternalId': '?*' } } };

  it.each(RUNBOOK_TASK_NAMES)('gives the %s task role exactly its log group, X-Ray, TenantDataAccessRole and (client tasks only) client-role grants', (task) => {
    const logGroup = ((propsOf(taskFunctionId(task)).LoggingConfig as JsonObject).LogGroup as { Ref: string }).Ref;
    const expected = [
      { effect: 'Allow', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [String(resolve(getAttArn(logGroup)))], condition: null },
      { effect: 'Allow', actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], resources: ['*'], condition: null },
      {
        effect: 'Allow',
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: [String(resolve(getAttArn(roleId(stack.tenantAccess.tenantDataAccessRole))))],
        condition: null,
      },
      ...(CLIENT_ROLE_TASKS.includes(task) ? [clientRoleGrant] : []),
    ];
    expect(grantsOf(statementsOfRole(roleId(taskRole(task))))).toEqual(ordered(expected));
  });

  it('lets only the SendCommand, PollCommand and CancelCommand task roles assume AlertWhispererMSP, only with an External ID, and no API function role', () => {
    expect(RUNBOOK_TASK_NAMES.filter((task) => RUNBOOK_TASKS[task].assumesClientRole).sort()).toEqual([...CLIENT_ROLE_TASKS].sort());
    // Any sts grant on the client role name or on a wildcard ARN: the cross-account reach.
    const reachesOut = (statement: Statement) =>
      asList(statement.Action).some((action) => /^sts:/i.test(action)) &&
      asList(resolve(statement.Resource ?? null)).some((arn) => String(arn).includes(CLIENT_ROLE_NAME) || String(arn).includes('*'));
    const holders = ofType('AWS::IAM::Role')
      .filter(([id]) => statementsOfRole(id).some(reachesOut))
      .map(([id]) => id);
    expect(holders.sort()).toEqual(CLIENT_ROLE_TASKS.map((task) => roleId(taskRole(task))).sort());
    for (const task of CLIENT_ROLE_TASKS) {
      expect(grantsOf(statementsOfRole(roleId(taskRole(task))).filter(reachesOut))).toEqual([clientRoleGrant]);
    }
    for (const name of FUNCTION_NAMES) {
      expect(statementsOfRole(roleId(stack.functions.roles[name])).filter(reachesOut)).toEqual([]);
      expect(JSON.stringify(statementsOfRole(roleId(stack.functions.roles[name])))).not.toContain(CLIENT_ROLE_NAME);
    }
    for (const task of RUNBOOK_TASK_NAMES.filter((name) => !CLIENT_ROLE_TASKS.includes(name))) {
      expect(JSON.stringify(statementsOfRole(roleId(taskRole(task))))).not.toContain(CLIENT_ROLE_NAME);
    }
  });

  it('lets only the runbooks route function role start executions, of the runbook state machine alone', () => {
    const holders = ofType('AWS::IAM::Role')
      .filter(([id]) => actionsOf(statementsOfRole(id)).some((action) => /^states:/i.test(action)))
      .map(([id]) => id);
    expect(holders).toEqual([roleId(stack.functions.roles.runbooks)]);
    const statements = statementsOfRole(roleId(stack.functions.roles.runbooks)).filter((statement) => asList(statement.Action).some((action) => /^states:/i.test(action)));
    expect(statements.map((statement) => ({ effect: statement.Effect, actions: asList(statement.Action), resources: asList(statement.Resource), condition: statement.Condition ?? null }))).toEqual([
      { effect: 'Allow', actions: ['states:StartExecution'], resources: [{ Ref: logicalIdOf(stack.runbooks.stateMachine) }], condition: null },
    ]);
    // Nor through a policy attached elsewhere.
    const policiesWithStates = ofType('AWS::IAM::Policy').filter(([, policy]) => JSON.stringify(policy.PolicyDocument).includes('"states:'));
    expect(policiesWithStates.map(([, policy]) => policy.Roles)).toEqual([[{ Ref: roleId(stack.functions.roles.runbooks) }]]);
  });

  it('lets only the state machine invoke the task functions', () => {
    const stateMachineRole = roleId(stack.runbooks.stateMachine.role);
    const taskArns = RUNBOOK_TASK_NAMES.map((task) => String(resolve(getAttArn(taskFunctionId(task)))));
    const invokers = ofType('AWS::IAM::Role')
      .filter(([id]) => statementsOfRole(id).some((statement) => asList(statement.Action).some((action) => /^lambda:/i.test(action))))
      .map(([id]) => id);
    expect(invokers).toEqual([stateMachineRole]);
    const invokes = statementsOfRole(stateMachineRole).filter((statement) => asList(statement.Action).some((action) => /^lambda:/i.test(action)));
    expect(invokes.flatMap((statement) => asList(statement.Action))).toEqual(RUNBOOK_TASK_NAMES.map(() => 'lambda:InvokeFunction'));
    expect(invokes.flatMap((statement) => asList(resolve(statement.Resource ?? null)).map(String)).sort()).toEqual(taskArns.flatMap((arn) => [arn, `${arn}:*`]).sort());
    // No resource-based permission lets anyone else (API Gateway included) invoke a task.
    const taskIds = RUNBOOK_TASK_NAMES.map(taskFunctionId);
    expect(ofType('AWS::Lambda::Permission').filter(([, permission]) => taskIds.some((id) => JSON.stringify(permission.FunctionName).includes(`"${id}"`)))).toEqual([]);
  });
});

// ---------------------------------------------------------------- functions

describe('ApiFunctions', () => {
  const environmentOf = (name: FunctionName): JsonObject => {
    const environment = propsOf(functionId(name)).Environment;
    return isObject(environment) && isObject(environment.Variables) ? environment.Variables : {};
  };

  it('creates one function per folder and nothing else', () => {
    // The API functions and the five runbook task functions; no custom resource or other function.
    expect(ofType('AWS::Lambda::Function').map(([id]) => id).sort()).toEqual([...FUNCTION_NAMES.map(functionId), ...RUNBOOK_TASK_NAMES.map(taskFunctionId)].sort());
    const folders = (dir: string) =>
      readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort();
    const lambdasDir = path.join(__dirname, '..', '..', 'lambdas');
    expect(folders(lambdasDir).filter((name) => name !== 'shared' && name !== 'runbook-tasks')).toEqual([...FUNCTION_NAMES].sort());
    expect(folders(path.join(lambdasDir, 'runbook-tasks'))).toEqual(['cancel-command', 'load-config', 'poll-command', 'record-result', 'send-command']);
    expect(RUNBOOK_TASK_NAMES.map((task) => RUNBOOK_TASKS[task].folder).sort()).toEqual(folders(path.join(lambdasDir, 'runbook-tasks')));
  });

  it.each(FUNCTION_NAMES)('runs %s on nodejs22.x arm64 with 512 MB, X-Ray and its own log group', (name) => {
    const fn = propsOf(functionId(name));
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Handler).toBe('index.handler');
    expect(fn.MemorySize).toBe(512);
    expect(fn.Timeout).toBe(name.endsWith('-authorizer') ? 5 : 10);
    expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
    const logGroup = (fn.LoggingConfig as JsonObject).LogGroup as JsonObject;
    const logGroupId = (logGroup as { Ref: string }).Ref;
    expect(resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 90 }, DeletionPolicy: 'Retain' });
  });

  it.each(FUNCTION_NAMES)('sets the Powertools variables on %s', (name) => {
    expect(environmentOf(name)).toMatchObject({
      POWERTOOLS_SERVICE_NAME: `alert-whisperer-${name}`,
      POWERTOOLS_METRICS_NAMESPACE: 'AlertWhisperer',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it.each(FUNCTION_NAMES)('gives %s exactly the ENV variables its profile needs', (name) => {
    const profile = FUNCTION_PROFILES[name];
    const set = Object.keys(environmentOf(name)).filter((key) => (Object.values(ENV) as string[]).includes(key));
    const expected: string[] = [];
    if (profile.tenantData) expected.push(ENV.tableName, ENV.tenantDataAccessRoleArn);
    if (profile.pepper) expected.push(ENV.apiKeyPepperSecretArn);
    if (name === 'admin') expected.push(ENV.adminReadRoleArn, ENV.externalIdRegistryRoleArn, ENV.restApiId, ENV.restApiStage, ENV.authorizerCacheTtlSeconds);
    if (name === 'admin-authorizer') expected.push(ENV.adminJwtIssuer, ENV.adminJwtAudience, ENV.adminJwksUrl, ENV.adminGroupsClaim, ENV.adminGroup);
    if (name === 'runbooks') expected.push(ENV.runbookStateMachineArn);
    expect(set.sort()).toEqual(expected.sort());
    expect(set).not.toContain(ENV.localApiKeyPepper);
  });

  it('points the variables at the right resources', () => {
    const admin = environmentOf('admin');
    expect(admin[ENV.tableName]).toEqual({ Ref: logicalIdOf(stack.dataTable.table) });
    expect(admin[ENV.tenantDataAccessRoleArn]).toEqual(getAttArn(roleId(stack.tenantAccess.tenantDataAccessRole)));
    expect(admin[ENV.adminReadRoleArn]).toEqual(getAttArn(roleId(stack.tenantAccess.adminReadRole)));
    expect(admin[ENV.externalIdRegistryRoleArn]).toEqual(getAttArn(roleId(stack.tenantAccess.externalIdRegistryRole)));
    expect(admin[ENV.apiKeyPepperSecretArn]).toEqual({ Ref: logicalIdOf(stack.pepper) });
    expect(admin[ENV.restApiId]).toEqual({ Ref: logicalIdOf(stack.api.restApi) });
    expect(admin[ENV.restApiStage]).toBe(API_STAGE_NAME);
    expect(admin[ENV.authorizerCacheTtlSeconds]).toBe('0');
    // Ref of an AWS::StepFunctions::StateMachine is its ARN.
    expect(environmentOf('runbooks')[ENV.runbookStateMachineArn]).toEqual({ Ref: logicalIdOf(stack.runbooks.stateMachine) });
  });

  it('configures the admin authorizer for the stack\'s Cognito user pool and app client', () => {
    const environment = environmentOf('admin-authorizer');
    const userPool = logicalIdOf(stack.adminIdentity.userPool!);
    const client = logicalIdOf(stack.adminIdentity.userPoolClient!);
    expect(resolve(environment[ENV.adminJwtIssuer]!)).toBe(`https://cognito-idp.${REGION}.amazonaws.com/ref:${userPool}`);
    expect(resolve(environment[ENV.adminJwksUrl]!)).toBe(`https://cognito-idp.${REGION}.amazonaws.com/ref:${userPool}/.well-known/jwks.json`);
    expect(environment[ENV.adminJwtAudience]).toEqual({ Ref: client });
    expect(environment[ENV.adminGroupsClaim]).toBe('cognito:groups');
    expect(environment[ENV.adminGroup]).toBe('msp-admin');
  });
});

// ---------------------------------------------------------------- runbook workflow

describe('RunbookWorkflow', () => {
  const stateMachine = () => propsOf(logicalIdOf(stack.runbooks.stateMachine));
  const definition = () => JSON.parse(String(resolve(stateMachine().DefinitionString!))) as { StartAt: string; States: Record<string, JsonObject> };
  const taskEnvironment = (task: RunbookTask): JsonObject => {
    const environment = propsOf(taskFunctionId(task)).Environment;
    return isObject(environment) && isObject(environment.Variables) ? environment.Variables : {};
  };

  it('is one traced Standard state machine running exactly runbookDefinition with the five task functions', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    expect(stateMachine().StateMachineType).toBe('STANDARD');
    expect(stateMachine().TracingConfiguration).toEqual({ Enabled: true });
    const arns = Object.fromEntries(RUNBOOK_TASK_NAMES.map((task) => [task, `getatt:${taskFunctionId(task)}.Arn`])) as Record<RunbookTask, string>;
    expect(definition()).toEqual(JSON.parse(JSON.stringify(runbookDefinition(arns))));
  });

  it('has a Wait state and a Choice state that loops back to it', () => {
    const states = Object.values(definition().States);
    expect(states.filter((state) => state.Type === 'Wait')).toHaveLength(1);
    expect(states.filter((state) => state.Type === 'Choice')).toHaveLength(1);
    const { States } = definition();
    expect(States[WAIT_STATE]).toMatchObject({ Type: 'Wait', Seconds: expect.any(Number), Next: RUNBOOK_TASKS.pollCommand.state });
    expect(States[WAIT_STATE]!.Seconds).toBeGreaterThan(0);
    expect(States[CHOICE_STATE]).toMatchObject({ Type: 'Choice', Default: WAIT_STATE });
  });

  it('logs every execution, with its data, to a retained log group', () => {
    const logging = stateMachine().LoggingConfiguration as JsonObject;
    expect(logging).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
    const [destination] = asList(logging.Destinations) as JsonObject[];
    const logGroupId = ((destination!.CloudWatchLogsLogGroup as JsonObject).LogGroupArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 90 }, DeletionPolicy: 'Retain' });
  });

  it.each(RUNBOOK_TASK_NAMES)('runs the %s task on nodejs22.x arm64 with 256 MB, 30 s, X-Ray and its own log group', (task) => {
    const fn = propsOf(taskFunctionId(task));
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Handler).toBe('index.handler');
    expect(fn.MemorySize).toBe(256);
    expect(fn.Timeout).toBe(30);
    expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
    expect(fn.Role).toEqual(getAttArn(roleId(taskRole(task))));
    const logGroupId = ((fn.LoggingConfig as JsonObject).LogGroup as { Ref: string }).Ref;
    expect(resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 90 }, DeletionPolicy: 'Retain' });
    const otherLogGroups = RUNBOOK_TASK_NAMES.filter((other) => other !== task).map((other) => ((propsOf(taskFunctionId(other)).LoggingConfig as JsonObject).LogGroup as { Ref: string }).Ref);
    expect(otherLogGroups).not.toContain(logGroupId);
  });

  it.each(RUNBOOK_TASK_NAMES)('gives the %s task exactly TABLE_NAME and TENANT_DATA_ACCESS_ROLE_ARN, pointing at the table and the role', (task) => {
    const environment = taskEnvironment(task);
    const set = Object.keys(environment).filter((key) => (Object.values(ENV) as string[]).includes(key));
    expect(set.sort()).toEqual([ENV.tableName, ENV.tenantDataAccessRoleArn].sort());
    expect(environment[ENV.tableName]).toEqual({ Ref: logicalIdOf(stack.dataTable.table) });
    expect(environment[ENV.tenantDataAccessRoleArn]).toEqual(getAttArn(roleId(stack.tenantAccess.tenantDataAccessRole)));
    expect(environment).toMatchObject({
      POWERTOOLS_SERVICE_NAME: `alert-whisperer-runbook-${RUNBOOK_TASKS[task].folder}`,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });
});

// ---------------------------------------------------------------- the REST API

describe('HttpApi: routes from API_ROUTES', () => {
  it('creates exactly one method per route', () => {
    expect(ofType('AWS::ApiGateway::Method')).toHaveLength(API_ROUTES.length);
    expect(API_ROUTES.filter((route) => route.path === '/v1/alerts/{source}')).toHaveLength(1);
    expect(ALERT_SOURCES.length).toBeGreaterThan(0);
  });

  it.each(API_ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))('%s: proxies to its function behind its authorizer', (_key, route) => {
    const method = methodOf(route);
    const integration = method.Integration as JsonObject;
    expect(integration.Type).toBe('AWS_PROXY');
    expect(integration.IntegrationHttpMethod).toBe('POST');
    expect(JSON.stringify(integration.Uri)).toContain(`"${functionId(route.fn)}"`);
    const authorizerIds = { 'api-key': logicalIdOf(stack.node.findChild('Api').node.findChild('ApiKeyAuthorizer')), admin: logicalIdOf(stack.node.findChild('Api').node.findChild('AdminAuthorizer')) };
    if (route.auth === 'none') {
      expect(method.AuthorizationType).toBe('NONE');
      expect(method.AuthorizerId).toBeUndefined();
    } else {
      expect(method.AuthorizationType).toBe('CUSTOM');
      expect(method.AuthorizerId).toEqual({ Ref: authorizerIds[route.auth] });
    }
    // Usage plans throttle per tenant only where a usage key is required: the tenant routes.
    expect(method.ApiKeyRequired ?? false).toBe(route.auth === 'api-key');
  });

  it.each(['health', 'alerts', 'incidents', 'config', 'runbooks', 'admin'] as RouteFunction[])(
    'lets API Gateway invoke %s only for its own routes, one method-scoped permission each',
    (fn) => {
      const permissions = ofType('AWS::Lambda::Permission').filter(([, permission]) => JSON.stringify(permission.FunctionName) === JSON.stringify(getAttArn(functionId(fn))));
      expect(permissions).toHaveLength(routesOf(fn).length);
      for (const [, permission] of permissions) {
        expect(permission.Principal).toBe('apigateway.amazonaws.com');
        expect(JSON.stringify(permission.SourceArn)).not.toContain('/*/*');
      }
    },
  );

  it('uses a REQUEST authorizer for API keys without caching and without a required identity source', () => {
    const authorizer = propsOf(logicalIdOf(stack.node.findChild('Api').node.findChild('ApiKeyAuthorizer')));
    expect(authorizer.Type).toBe('REQUEST');
    expect(authorizer.AuthorizerResultTtlInSeconds).toBe(0);
    expect(authorizer.IdentitySource).toBeUndefined();
    expect(JSON.stringify(authorizer.AuthorizerUri)).toContain(functionId('api-key-authorizer'));
  });

  it('uses a REQUEST authorizer for admins, cached 300 s on the Authorization header', () => {
    const authorizer = propsOf(logicalIdOf(stack.node.findChild('Api').node.findChild('AdminAuthorizer')));
    expect(authorizer).toMatchObject({ Type: 'REQUEST', AuthorizerResultTtlInSeconds: 300, IdentitySource: 'method.request.header.Authorization' });
    expect(JSON.stringify(authorizer.AuthorizerUri)).toContain(functionId('admin-authorizer'));
  });

  it('is a regional REST API whose usage keys come from the authorizer, with no binary media types', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      ApiKeySourceType: 'AUTHORIZER',
      BinaryMediaTypes: Match.absent(),
    });
    template.resourceCountIs('AWS::ApiGateway::RequestValidator', 0);
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  it('deploys one stage named api, throttled, traced, execution logs at ERROR without data trace', () => {
    template.resourceCountIs('AWS::ApiGateway::Stage', 1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: API_STAGE_NAME,
      TracingEnabled: true,
      MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'ERROR', DataTraceEnabled: false, ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 }],
    });
  });

  it('writes access logs with the route template, never the path, query string or headers', () => {
    const [[, stage]] = ofType('AWS::ApiGateway::Stage') as [[string, JsonObject]];
    const settings = stage.AccessLogSetting as JsonObject;
    const format = JSON.parse(String(settings.Format)) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      method: '$context.httpMethod',
      resourcePath: '$context.resourcePath',
      status: '$context.status',
      latency: '$context.responseLatency',
      principalId: '$context.authorizer.principalId',
    });
    const text = String(settings.Format);
    expect(text).not.toMatch(/\$context\.path|querystring|queryString|\$input|\.header|requestOverride/i);
    const logGroup = (settings.DestinationArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(resources[logGroup]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 90 } });
  });

  const expectedResponses: [string, string | undefined, string, boolean][] = [
    ['UNAUTHORIZED', '401', 'unauthorized', false],
    ['ACCESS_DENIED', '403', 'forbidden', false],
    ['INVALID_API_KEY', '403', 'forbidden', false],
    ['AUTHORIZER_FAILURE', '503', 'service_unavailable', true],
    ['AUTHORIZER_CONFIGURATION_ERROR', '503', 'service_unavailable', true],
    ['THROTTLED', '429', 'throttled', true],
    ['QUOTA_EXCEEDED', '429', 'throttled', true],
    ['REQUEST_TOO_LARGE', '413', 'payload_too_large', false],
    ['MISSING_AUTHENTICATION_TOKEN', '404', 'not_found', false],
    ['RESOURCE_NOT_FOUND', '404', 'not_found', false],
    ['INTEGRATION_FAILURE', '503', 'service_unavailable', true],
    ['INTEGRATION_TIMEOUT', '503', 'service_unavailable', true],
    ['DEFAULT_4XX', undefined, 'invalid_request', false],
    ['DEFAULT_5XX', undefined, 'internal_error', false],
  ];

  it.each(expectedResponses)('answers %s with %s in API.md\'s error shape', (type, status, code, retryAfter) => {
    const matches = ofType('AWS::ApiGateway::GatewayResponse').filter(([, response]) => response.ResponseType === type);
    expect(matches).toHaveLength(1);
    const response = matches[0]![1];
    expect(response.StatusCode).toBe(status);
    const body = JSON.parse(String((response.ResponseTemplates as JsonObject)['application/json'])) as { error: { code: string; message: string } };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(/^[A-Z].*\.$/);
    const headers = response.ResponseParameters as JsonObject;
    expect(headers['gatewayresponse.header.Cache-Control']).toBe("'no-store'");
    expect(headers['gatewayresponse.header.Retry-After']).toBe(retryAfter ? "'1'" : undefined);
  });

  it('says 401 exactly as API.md and the handlers do', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseTemplates: { 'application/json': '{"error":{"code":"unauthorized","message":"Missing or invalid credentials."}}' },
    });
    expect(ofType('AWS::ApiGateway::GatewayResponse')).toHaveLength(expectedResponses.length);
  });
});

// ---------------------------------------------------------------- staff identity

describe('AdminIdentity (Cognito)', () => {
  it('creates an invite-only user pool with TOTP MFA required, a strong password policy and threat protection enforced', () => {
    template.hasResource('AWS::Cognito::UserPool', {
      Properties: Match.objectLike({
        AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        Policies: {
          PasswordPolicy: Match.objectLike({ MinimumLength: 14, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true }),
        },
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
        DeletionProtection: 'ACTIVE',
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('has the msp-admin group and a public app client with one-hour tokens', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'msp-admin' });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      TokenValidityUnits: Match.objectLike({ AccessToken: 'minutes', IdToken: 'minutes' }),
      PreventUserExistenceErrors: 'ENABLED',
    });
    const [[, client]] = ofType('AWS::Cognito::UserPoolClient') as [[string, JsonObject]];
    // No USER_PASSWORD_AUTH: passwords go to Cognito only through SRP, or with IAM credentials.
    expect(asList(client.ExplicitAuthFlows).sort()).toEqual(['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH']);
  });
});

// ---------------------------------------------------------------- detective control

/**
 * Enough of EventBridge's matching to check the watchdog's patterns against CloudTrail records
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html): fields AND,
 * array values OR, an event array matches when any element does, `$or`, `exists`, `anything-but`.
 */
function matches(pattern: JsonObject, event: Json): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or') return asList(rule).some((branch) => isObject(branch) && matches(branch, event));
    if (isObject(rule)) return leafValues(event, key).some((inner) => matches(rule, inner)) || (leafValues(event, key).length === 0 && matches(rule, {}));
    const values = leafValues(event, key).flatMap((value) => (Array.isArray(value) ? value : [value]));
    return asList(rule).some((option) => {
      if (!isObject(option)) return values.includes(option);
      if ('exists' in option) return option.exists === values.length > 0;
      if ('anything-but' in option) return values.some((value) => !asList(option['anything-but']).includes(value));
      throw new Error(`unsupported pattern ${JSON.stringify(option)}`);
    });
  });
}

function leafValues(event: Json, key: string): Json[] {
  if (Array.isArray(event)) return event.flatMap((element) => leafValues(element, key));
  if (!isObject(event) || !(key in event)) return [];
  return [event[key]!];
}

describe('AssumeRoleWatchdog', () => {
  const tenantRole = 'arn:aws:iam::111122223333:role/TenantDataAccessRole';
  const functionRole = 'arn:aws:iam::111122223333:role/AlertsFunctionRole';
  const taskRoleArn = 'arn:aws:iam::111122223333:role/RunbookTaskRole';

  const rulePatterns = () =>
    ofType('AWS::Events::Rule').map(([id, rule]) => {
      // Stand the tokens in for the example ARNs: the tenant role, the six function roles as one, the five task roles as another.
      let text = JSON.stringify(rule.EventPattern)
        .replaceAll(JSON.stringify(getAttArn(roleId(stack.tenantAccess.tenantDataAccessRole))), JSON.stringify(tenantRole))
        .replace(/\{"Fn::GetAtt":\["Functions[A-Za-z]+Role[0-9A-F]{8}","Arn"\]\}/g, JSON.stringify(functionRole));
      for (const task of RUNBOOK_TASK_NAMES) text = text.replaceAll(JSON.stringify(getAttArn(roleId(taskRole(task)))), JSON.stringify(taskRoleArn));
      return { id, rule, pattern: JSON.parse(text) as JsonObject };
    });

  const event = (detail: JsonObject): JsonObject => ({ source: 'aws.sts', 'detail-type': 'AWS API Call via CloudTrail', detail });
  const byRole = (roleArn: string) => ({ type: 'AssumedRole', sessionContext: { sessionIssuer: { type: 'Role', arn: roleArn } } });
  const assumeTenantRole = (userIdentity: JsonObject, tags?: Json) =>
    event({
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      userIdentity,
      requestParameters: { roleArn: tenantRole, roleSessionName: 'tenant-acme', ...(tags === undefined ? {} : { tags }) },
      readOnly: true,
    });
  const fired = (detailEvent: JsonObject) => rulePatterns().filter(({ pattern }) => matches(pattern, detailEvent)).map(({ id }) => id);

  it('has two rules on AssumeRole of TenantDataAccessRole, enabled for read-only management events, publishing to the topic', () => {
    const rules = rulePatterns();
    expect(rules).toHaveLength(2);
    const topicId = logicalIdOf(stack.watchdog.topic);
    for (const { rule, pattern } of rules) {
      expect(rule.State).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
      expect(rule.Targets).toEqual([{ Arn: { Ref: topicId }, Id: 'Target0' }]);
      expect(pattern).toMatchObject({
        source: ['aws.sts'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['sts.amazonaws.com'], eventName: ['AssumeRole'], requestParameters: { roleArn: [tenantRole] } },
      });
    }
  });

  it('stays quiet for a function role passing exactly the tenant_id tag', () => {
    expect(fired(assumeTenantRole(byRole(functionRole), [{ key: 'tenant_id', value: 'acme' }]))).toEqual([]);
  });

  it('stays quiet for a runbook task role passing exactly the tenant_id tag, and fires when it passes none', () => {
    expect(fired(assumeTenantRole(byRole(taskRoleArn), [{ key: 'tenant_id', value: 'acme' }]))).toEqual([]);
    expect(fired(assumeTenantRole(byRole(taskRoleArn)))).toEqual([logicalIdOf(stack.watchdog.untaggedSessionRule)]);
  });

  it('expects exactly the roles granted AssumeRole on TenantDataAccessRole, the runbook task roles among them', () => {
    const tenantRoleArn = getAttArn(roleId(stack.tenantAccess.tenantDataAccessRole));
    const granted = ofType('AWS::IAM::Role')
      .filter(([id]) =>
        statementsOfRole(id).some(
          (statement) => asList(statement.Action).includes('sts:AssumeRole') && asList(statement.Resource).some((arn) => JSON.stringify(arn) === JSON.stringify(tenantRoleArn)),
        ),
      )
      .map(([id]) => id);
    const [, unexpected] = ofType('AWS::Events::Rule').find(([id]) => id === logicalIdOf(stack.watchdog.unexpectedCallerRule))!;
    const detail = (unexpected.EventPattern as JsonObject).detail as JsonObject;
    const callers = asList(detail.$or)
      .filter(isObject)
      .flatMap((branch) => asList((((branch.userIdentity as JsonObject | undefined)?.sessionContext as JsonObject | undefined)?.sessionIssuer as JsonObject | undefined)?.arn))
      .filter(isObject)
      .flatMap((option) => asList(option['anything-but']));
    expect(callers.map((arn) => JSON.stringify(arn)).sort()).toEqual(granted.map((id) => JSON.stringify(getAttArn(id))).sort());
    for (const task of RUNBOOK_TASK_NAMES) expect(callers).toContainEqual(getAttArn(roleId(taskRole(task))));
    expect(granted).toHaveLength(FUNCTION_NAMES.filter((name) => FUNCTION_PROFILES[name].tenantData).length + RUNBOOK_TASK_NAMES.length);
  });

  it('fires when the tenant_id tag is missing or another tag key rides along', () => {
    const untagged = logicalIdOf(stack.watchdog.untaggedSessionRule);
    expect(fired(assumeTenantRole(byRole(functionRole)))).toEqual([untagged]);
    expect(fired(assumeTenantRole(byRole(functionRole), [{ key: 'team', value: 'x' }]))).toEqual([untagged]);
    expect(fired(assumeTenantRole(byRole(functionRole), [{ key: 'tenant_id', value: 'acme' }, { key: 'admin', value: 'true' }]))).toEqual([untagged]);
  });

  it('fires when anyone but the function roles asks, role session or not', () => {
    const stranger = logicalIdOf(stack.watchdog.unexpectedCallerRule);
    const tags = [{ key: 'tenant_id', value: 'acme' }];
    expect(fired(assumeTenantRole(byRole('arn:aws:iam::111122223333:role/developer'), tags))).toEqual([stranger]);
    expect(fired(assumeTenantRole({ type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory' }, tags))).toEqual([stranger]);
  });

  it('ignores other roles and other calls', () => {
    const other = event({ eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', userIdentity: byRole('arn:aws:iam::111122223333:role/x'), requestParameters: { roleArn: 'arn:aws:iam::111122223333:role/Other' } });
    expect(fired(other)).toEqual([]);
  });

  it('expects exactly the callers that the trust policy trusts', () => {
    const trusted = (trustOf(roleId(stack.tenantAccess.tenantDataAccessRole))[0]!.Condition!.ArnEquals as JsonObject)['aws:PrincipalArn'];
    const [, unexpected] = ofType('AWS::Events::Rule').find(([id]) => id === logicalIdOf(stack.watchdog.unexpectedCallerRule))!;
    expect(JSON.stringify(unexpected.EventPattern)).toContain(JSON.stringify({ 'anything-but': trusted }));
  });

  it('encrypts the topic with a rotating KMS key that EventBridge may use, and refuses publishing without TLS', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});

// ---------------------------------------------------------------- the stack as a whole

describe('AlertWhispererStack', () => {
  it('keeps the pepper in a generated 64-character secret that outlives the stack', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({ GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 64 } }),
      DeletionPolicy: 'Retain',
    });
  });

  it('outputs the API URL, table name, user pool and client ids, and the runbook state machine', () => {
    for (const output of ['ApiUrl', 'TableName', 'UserPoolId', 'UserPoolClientId', 'AdminJwtIssuer', 'RunbookStateMachineArn', 'WatchdogTopicArn']) {
      template.hasOutput(output, Match.anyValue());
    }
  });

  it('is environment-agnostic (no lookups, so synth runs offline)', () => {
    expect(stack.resolve(stack.account)).toEqual({ Ref: 'AWS::AccountId' });
    expect(stack.resolve(stack.region)).toEqual({ Ref: 'AWS::Region' });
  });

  it('has no dependency cycle CloudFormation would refuse', () => {
    const references = (value: Json, found: Set<string>): Set<string> => {
      if (Array.isArray(value)) value.forEach((inner) => references(inner, found));
      else if (isObject(value)) {
        if (typeof value.Ref === 'string' && value.Ref in resources) found.add(value.Ref);
        const getAtt = value['Fn::GetAtt'];
        if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') found.add(getAtt[0]);
        const sub = value['Fn::Sub'];
        if (typeof sub === 'string') for (const [, name] of sub.matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) if (name! in resources) found.add(name!);
        Object.values(value).forEach((inner) => references(inner, found));
      }
      return found;
    };
    const edges = new Map(
      Object.entries(resources).map(([id, resource]) => [id, [...references(resource.Properties ?? null, new Set(asList(resource.DependsOn as string | string[] | undefined)))]]),
    );
    const state = new Map<string, 'visiting' | 'done'>();
    const cycle: string[] = [];
    const visit = (id: string, trail: string[]): boolean => {
      if (state.get(id) === 'done') return false;
      if (state.get(id) === 'visiting') {
        cycle.push(...trail.slice(trail.indexOf(id)), id);
        return true;
      }
      state.set(id, 'visiting');
      const found = (edges.get(id) ?? []).some((next) => visit(next, [...trail, id]));
      state.set(id, 'done');
      return found;
    };
    for (const id of edges.keys()) if (visit(id, [])) break;
    expect(cycle).toEqual([]);
  });
});

// ---------------------------------------------------------------- props checked up front (no bundling)

describe('props checked up front', () => {
  const fixture = () => {
    const scratch = new Stack(new App(), 'Scratch');
    const fn = (id: string) => new lambda.Function(scratch, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>({})') });
    const routeFunctions = { health: fn('Health'), alerts: fn('Alerts'), incidents: fn('Incidents'), config: fn('Config'), runbooks: fn('Runbooks'), admin: fn('Admin') };
    return { scratch, fn, routeFunctions, apiKeyAuthorizer: fn('ApiKeyAuthorizer'), adminAuthorizer: fn('AdminAuthorizer') };
  };

  it('refuses a table that is to be destroyed while deletion protection is on', () => {
    const { scratch } = fixture();
    expect(() => new DataTable(scratch, 'T', { removalPolicy: RemovalPolicy.DESTROY })).toThrow(/deletionProtection/);
    expect(() => new DataTable(scratch, 'T2', { removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false })).not.toThrow();
  });

  it('refuses TenantAccessRoles without any tenant-data caller', () => {
    const { scratch } = fixture();
    const role = new iam.Role(scratch, 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => new TenantAccessRoles(scratch, 'A', { table: new DataTable(scratch, 'T'), tenantDataPrincipals: [], adminPrincipal: role })).toThrow(/no function could ever reach/);
  });

  it('refuses authorizer cache TTLs API Gateway would refuse, and a throttle that stops everything', () => {
    const base = fixture();
    const props = { routeFunctions: base.routeFunctions, apiKeyAuthorizer: base.apiKeyAuthorizer, adminAuthorizer: base.adminAuthorizer };
    expect(() => new HttpApi(base.scratch, 'A1', { ...props, apiKeyAuthorizerCacheTtl: Duration.seconds(3601) })).toThrow(/0 to 3600/);
    expect(() => new HttpApi(base.scratch, 'A2', { ...props, adminAuthorizerCacheTtl: Duration.millis(1500) })).toThrow(/whole seconds/);
    expect(() => new HttpApi(base.scratch, 'A3', { ...props, throttle: { rateLimit: 0, burstLimit: 10 } })).toThrow(/rateLimit/);
  });

  it('refuses a route table function it was not given', () => {
    const base = fixture();
    const { runbooks: _runbooks, ...withoutRunbooks } = base.routeFunctions;
    expect(
      () =>
        new HttpApi(base.scratch, 'A', {
          routeFunctions: withoutRunbooks as unknown as typeof base.routeFunctions,
          apiKeyAuthorizer: base.apiKeyAuthorizer,
          adminAuthorizer: base.adminAuthorizer,
        }),
    ).toThrow(/no function given for runbooks/);
  });

  it('caches API key answers on X-API-Key alone when a TTL is given, and grants the stage flush on exactly its cache', () => {
    const base = fixture();
    const api = new HttpApi(base.scratch, 'Api', {
      routeFunctions: base.routeFunctions,
      apiKeyAuthorizer: base.apiKeyAuthorizer,
      adminAuthorizer: base.adminAuthorizer,
      apiKeyAuthorizerCacheTtl: Duration.minutes(5),
      webAclArn: 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/msp/0000',
    });
    const grantee = new iam.Role(base.scratch, 'Flusher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    api.grantAuthorizerCacheFlush(grantee);
    const scratchTemplate = Template.fromStack(base.scratch);
    scratchTemplate.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 300, IdentitySource: 'method.request.header.X-API-Key' });
    scratchTemplate.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/msp/0000' });
    const policies = Object.values(scratchTemplate.findResources('AWS::IAM::Policy')) as JsonObject[];
    expect(policies).toHaveLength(1);
    const [statement] = asList(((policies[0]!.Properties as JsonObject).PolicyDocument as JsonObject).Statement) as unknown as Statement[];
    expect(statement!.Action).toBe('apigateway:DELETE');
    expect(resolve(statement!.Resource ?? null)).toMatch(new RegExp(`^arn:aws:apigateway:${REGION}::/restapis/ref:Api[A-Za-z0-9]+/stages/api/cache/authorizers$`));
  });

  it('refuses a memory size Lambda does not have before bundling anything', () => {
    const { scratch } = fixture();
    const identity = new AdminIdentity(scratch, 'Id', { oidc: { issuer: 'https://login.example.com', audience: 'aw' } });
    const pepper = { secretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:p' } as never;
    expect(() => new ApiFunctions(scratch, 'F', { tableName: 't', pepper, adminToken: identity.tokenSettings, memorySize: 100 })).toThrow(/memorySize 100/);
  });

  it('uses an OIDC issuer instead of a user pool, and refuses one that could not be verified', () => {
    const { scratch } = fixture();
    const identity = new AdminIdentity(scratch, 'Oidc', { oidc: { issuer: 'https://login.example.com/tenant', audience: 'alert-whisperer' } });
    expect(identity.userPool).toBeUndefined();
    expect(identity.tokenSettings).toEqual({
      issuer: 'https://login.example.com/tenant',
      audience: 'alert-whisperer',
      jwksUrl: 'https://login.example.com/tenant/.well-known/jwks.json',
      groupsClaim: 'groups',
      requiredGroup: 'msp-admin',
    });
    Template.fromStack(scratch).resourceCountIs('AWS::Cognito::UserPool', 0);
    expect(() => new AdminIdentity(scratch, 'Http', { oidc: { issuer: 'http://login.example.com', audience: 'a' } })).toThrow(/https URL/);
    expect(() => new AdminIdentity(scratch, 'Slash', { oidc: { issuer: 'https://login.example.com/', audience: 'a' } })).toThrow(/trailing slash/);
    expect(() => new AdminIdentity(scratch, 'NoAud', { oidc: { issuer: 'https://login.example.com', audience: ' ' } })).toThrow(/audience is empty/);
  });

  it('reads the OIDC settings from context, and refuses half of them', () => {
    const withContext = (context: Record<string, string>) => new App({ context });
    expect(adminOidcFromContext(withContext({}))).toBeUndefined();
    expect(adminOidcFromContext(withContext({ adminOidcIssuer: 'https://idp.example.com', adminOidcAudience: 'aw', adminGroupsClaim: 'roles' }))).toEqual({
      issuer: 'https://idp.example.com',
      audience: 'aw',
      jwksUrl: undefined,
      groupsClaim: 'roles',
    });
    expect(() => adminOidcFromContext(withContext({ adminOidcIssuer: 'https://idp.example.com' }))).toThrow(/needs adminOidcAudience/);
    expect(() => adminOidcFromContext(withContext({ adminOidcAudience: 'aw' }))).toThrow(/only apply with adminOidcIssuer/);
  });

  it('refuses a watchdog with nobody to expect or a malformed address', () => {
    const { scratch } = fixture();
    const role = new iam.Role(scratch, 'Watched', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => new AssumeRoleWatchdog(scratch, 'W1', { watchedRole: role, expectedCallers: [] })).toThrow(/expectedCallers is empty/);
    expect(() => new AssumeRoleWatchdog(scratch, 'W2', { watchedRole: role, expectedCallers: [role], notificationEmail: 'not-an-address' })).toThrow(/not an email/);
  });
});
