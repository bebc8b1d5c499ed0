import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { RunbookWorkflow } from '../../lib/constructs/runbook-workflow';
import { RUNBOOK_TASK_NAMES, RUNBOOK_TASKS } from '../../lib/runbook-definition';
import { AWS_COMMERCIAL_REGIONS } from '../../lambdas/shared/domain/aws-integration';
import { ENV } from '../../lambdas/shared/runtime/environment';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Statement {
  readonly Action?: string | string[];
  readonly Resource?: Json;
  readonly Condition?: JsonObject;
}

const app = new App();
const stack = new Stack(app, 'RunbookWorkflowUnderTest');
// Scaffolding the stack would provide: the tenant data role and the runbooks route function.
const tenantDataAccessRole = new iam.Role(stack, 'TenantDataAccessRole', { assumedBy: new iam.AccountRootPrincipal() });
const routeFunction = new lambda.Function(stack, 'RunbooksRoute', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 204 });'),
});
NagSuppressions.addResourceSuppressions(
  routeFunction,
  [
    { id: 'AwsSolutions-IAM4', reason: 'Test scaffolding standing in for the runbooks route function.' },
    { id: 'AwsSolutions-L1', reason: 'Test scaffolding standing in for the runbooks route function.' },
  ],
  true,
);

const workflow = new RunbookWorkflow(stack, 'Runbooks', { tableName: 'alert-whisperer-table' });
workflow.useTableAccess(tenantDataAccessRole);
workflow.grantStart(routeFunction);
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));

const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;

function ofType(type: string) {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every identity policy statement, with the logical ids of the roles it is attached to. */
function identityStatements(): Array<{ roles: string[]; statement: Statement }> {
  return ofType('AWS::IAM::Policy').flatMap(([, policy]) => {
    const roles = asList(policy.Properties.Roles as Json[]).map((role) => JSON.stringify(role));
    const document = policy.Properties.PolicyDocument as { Statement: Statement[] };
    return document.Statement.map((statement) => ({ roles, statement }));
  });
}

function taskFunctions() {
  return ofType('AWS::Lambda::Function').filter(([id]) => RUNBOOK_TASK_NAMES.some((task) => new RegExp(`^Runbooks${RUNBOOK_TASKS[task].state}[0-9A-F]{8}$`).test(id)));
}

/** How a policy names the task's execution role (`{"Ref": <logical id>}`), for comparison. */
function roleRefOf(task: (typeof RUNBOOK_TASK_NAMES)[number]): string {
  const fn = taskFunctions().find(([id]) => id.startsWith(`Runbooks${RUNBOOK_TASKS[task].state}`));
  if (!fn) throw new Error(`no function for ${task}`);
  return JSON.stringify({ Ref: (fn[1].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0] });
}

describe('RunbookWorkflow', () => {
  it('deploys one Standard state machine with the Wait + Choice polling loop, logged and traced', () => {
    const machines = ofType('AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(1);
    const definition = JSON.stringify(machines[0][1].Properties.DefinitionString);
    expect(definition).toMatch(/\\"Type\\":\\"Wait\\"/);
    expect(definition).toMatch(/\\"Type\\":\\"Choice\\"/);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
  });

  it('has the definition call the five task functions by their ARNs', () => {
    const definition = JSON.stringify(ofType('AWS::StepFunctions::StateMachine')[0][1].Properties.DefinitionString);
    for (const task of RUNBOOK_TASK_NAMES) {
      expect(definition).toMatch(new RegExp(`"Runbooks${RUNBOOK_TASKS[task].state}[0-9A-F]{8}","Arn"`));
    }
  });

  it('builds the task functions for Node.js 22 on arm64, pointed at the table and the tenant data role', () => {
    const tasks = taskFunctions();
    expect(tasks).toHaveLength(RUNBOOK_TASK_NAMES.length);
    for (const [, fn] of tasks) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
      expect(fn.Properties.Environment).toMatchObject({
        Variables: { [ENV.tableName]: 'alert-whisperer-table', [ENV.tenantDataAccessRoleArn]: expect.anything() },
      });
    }
  });

  it('lets only SendCommand, PollCommand and CancelCommand assume a client role: the client role name in any account, with an External ID', () => {
    const clientRoleStatements = identityStatements().filter(
      ({ statement }) => asList(statement.Action).includes('sts:AssumeRole') && JSON.stringify(statement.Resource).includes(':role/'),
    );
    const clientFacing = RUNBOOK_TASK_NAMES.filter((task) => RUNBOOK_TASKS[task].assumesClientRole).map(roleRefOf);
    expect(clientFacing).toHaveLength(3);
    expect(clientRoleStatements.flatMap(({ roles }) => roles).sort()).toEqual([...clientFacing].sort());
    for (const { statement } of clientRoleStatements) {
      expect(asList(statement.Action)).toEqual(['sts:AssumeRole']);
      expect(statement.Condition).toEqual({ StringLike: { 'sts:ExternalId': '?*' } });
      expect(asList(statement.Resource as Json[]).map((resource) => JSON.stringify(resource))).toEqual([
        expect.stringMatching(/iam::\*:role\/AlertWhispererMSP"/),
        expect.stringMatching(/iam::\*:role\/\*\/AlertWhispererMSP"/),
      ]);
    }
  });

  it('lets every task assume TenantDataAccessRole with a session tag, and nothing more on it', () => {
    const tenantRoleRef = JSON.stringify(stack.resolve(tenantDataAccessRole.roleArn));
    const statements = identityStatements().filter(({ statement }) => JSON.stringify(statement.Resource) === tenantRoleRef);
    const taskRoles = RUNBOOK_TASK_NAMES.map(roleRefOf);
    expect(new Set(statements.flatMap(({ roles }) => roles))).toEqual(new Set(taskRoles));
    for (const { statement } of statements) expect(asList(statement.Action).sort()).toEqual(['sts:AssumeRole', 'sts:TagSession']);
  });

  it('gives no task role any DynamoDB permission', () => {
    const actions = identityStatements().flatMap(({ statement }) => asList(statement.Action));
    expect(actions.filter((action) => action.startsWith('dynamodb:'))).toEqual([]);
    for (const [, role] of ofType('AWS::IAM::Role')) expect(JSON.stringify(role.Properties)).not.toContain('dynamodb:');
  });

  it('lets the runbooks route start executions and tells it the state machine ARN', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: { Variables: { [ENV.runbookStateMachineArn]: Match.objectLike({ Ref: Match.stringLikeRegexp('^RunbooksStateMachine') }) } },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'states:StartExecution' })]) },
    });
  });

  it('has zero unsuppressed cdk-nag AwsSolutions errors and warnings', () => {
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((finding) => `${finding.id}: ${String(finding.entry.data)}`)).toEqual([]);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(warnings.map((finding) => `${finding.id}: ${String(finding.entry.data)}`)).toEqual([]);
  });
});

describe('the Regions an AWS integration accepts', () => {
  it('are exactly the commercial Regions aws-cdk-lib knows', () => {
    const known = RegionInfo.regions.filter((region) => region.partition === 'aws').map((region) => region.name);
    expect([...AWS_COMMERCIAL_REGIONS].sort()).toEqual(known.sort());
  });
});
