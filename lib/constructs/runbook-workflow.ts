import * as path from 'node:path';
import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/runtime/environment';
import { CLIENT_ROLE_NAME } from '../../lambdas/shared/domain/aws-integration';
import { RUNBOOK_TASK_NAMES, RUNBOOK_TASKS, runbookDefinition, type RunbookTask } from '../runbook-definition';
import { alertWhispererFunction } from './function-defaults';

const TASKS_DIR = path.join(__dirname, '..', '..', 'lambdas', 'runbook-tasks');

export interface RunbookWorkflowProps {
  /** Name of the single table (`TABLE_NAME`); the tasks reach it only through `TenantDataAccessRole` (see `useTableAccess`). */
  readonly tableName: string;

  /**
   * Retention of the task functions' and the state machine's logs.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Powertools log level of the task functions (`POWERTOOLS_LOG_LEVEL`).
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

/**
 * The runbook workflow: five task functions and the Standard state machine that runs
 * `lib/runbook-definition.ts` with their ARNs. Only SendCommand, PollCommand and
 * CancelCommand may assume a client role, and only with an External ID; no task role holds
 * any DynamoDB permission (tenant data goes through `TenantDataAccessRole`).
 */
export class RunbookWorkflow extends Construct {
  /** The workflow; the runbooks route starts executions of it (see `grantStart`). */
  readonly stateMachine: sfn.StateMachine;

  /** The task functions, by task. */
  readonly functions: Readonly<Record<RunbookTask, nodejs.NodejsFunction>>;

  /** Every task's execution role: each reads or writes tenant data, so `TenantDataAccessRole` must trust them all. */
  readonly tenantDataRoles: readonly iam.Role[];

  private readonly roles: Readonly<Record<RunbookTask, iam.Role>>;

  constructor(scope: Construct, id: string, props: RunbookWorkflowProps) {
    super(scope, id);
    const retention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;

    const functions = {} as Record<RunbookTask, nodejs.NodejsFunction>;
    const roles = {} as Record<RunbookTask, iam.Role>;
    for (const task of RUNBOOK_TASK_NAMES) {
      const { state, folder, assumesClientRole } = RUNBOOK_TASKS[task];
      const { fn, role } = alertWhispererFunction(this, state, {
        entry: path.join(TASKS_DIR, folder, 'index.ts'),
        description: `Alert Whisperer runbook workflow: ${state}`,
        roleDescription: `Runbook task ${state}: no DynamoDB permission; tenant data only through TenantDataAccessRole.`,
        memorySize: 256,
        timeout: cdk.Duration.seconds(30),
        logRetention: retention,
        environment: {
          [ENV.tableName]: props.tableName,
          POWERTOOLS_SERVICE_NAME: `alert-whisperer-runbook-${folder}`,
          POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        },
      });
      if (assumesClientRole) this.allowClientRole(role);
      functions[task] = fn;
      roles[task] = role;
    }
    this.functions = functions;
    this.roles = roles;
    this.tenantDataRoles = RUNBOOK_TASK_NAMES.map((task) => roles[task]);

    const definition = runbookDefinition(
      Object.fromEntries(RUNBOOK_TASK_NAMES.map((task) => [task, functions[task].functionArn])) as Record<RunbookTask, string>,
    );
    const executionLogs = new logs.LogGroup(this, 'ExecutionLogs', { retention, removalPolicy: cdk.RemovalPolicy.RETAIN });
    // One definition for AWS and the local runner: plain ASL, so CDK cannot infer its grants (they follow).
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(definition)),
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      // Execution data is ids and names only (never credentials or the External ID): worth keeping when a runbook is questioned.
      logs: { destination: executionLogs, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    for (const fn of Object.values(functions)) fn.grantInvoke(this.stateMachine);

    NagSuppressions.addResourceSuppressions(
      this,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'X-Ray and Step Functions log delivery actions support no resource-level permissions (Service Authorization Reference).',
          appliesTo: ['Resource::*'],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason: 'lambda:InvokeFunction on the task functions and their versions (<arn>:*), as grantInvoke writes it; nothing else.',
          appliesTo: [{ regex: '/^Resource::<.+\\.Arn>:\\*$/' }],
        },
        {
          id: 'AwsSolutions-L1',
          reason: 'Node.js 22 is pinned on purpose: the handlers and the SDK lock are tested on the Node 22 major; moving to 24 is a deliberate upgrade.',
        },
      ],
      true,
    );
  }

  /**
   * Lets every task assume `TenantDataAccessRole` with its session tag, and tells them its ARN.
   * A method, not a prop: that role's trust policy names these task roles, so it is built after them.
   */
  useTableAccess(tenantDataAccessRole: iam.IRole): void {
    for (const task of RUNBOOK_TASK_NAMES) {
      this.roles[task].addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['sts:AssumeRole', 'sts:TagSession'], resources: [tenantDataAccessRole.roleArn] }),
      );
      this.functions[task].addEnvironment(ENV.tenantDataAccessRoleArn, tenantDataAccessRole.roleArn);
    }
  }

  /** Lets `fn` (the runbooks route function) start executions, and tells it which state machine. */
  grantStart(fn: lambda.Function): iam.Grant {
    fn.addEnvironment(ENV.runbookStateMachineArn, this.stateMachine.stateMachineArn);
    return this.stateMachine.grantStartExecution(fn);
  }

  /** The client template's role (`CLIENT_ROLE_NAME`), the only role, in any account, the client-facing tasks may assume. */
  private allowClientRole(role: iam.Role): void {
    const resources = [
      `arn:${cdk.Aws.PARTITION}:iam::*:role/${CLIENT_ROLE_NAME}`,
      `arn:${cdk.Aws.PARTITION}:iam::*:role/*/${CLIENT_ROLE_NAME}`,
    ];
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeClientRoleWithExternalId',
        actions: ['sts:AssumeRole'],
        // Any account: client accounts are tenant settings, unknown at deploy time. The role name (at any path) is fixed.
        resources,
        // No External ID, no AssumeRole, whatever a client's trust policy says (the confused-deputy guard, on our side too).
        conditions: { StringLike: { 'sts:ExternalId': '?*' } },
      }),
    );
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'Client account ids are tenant settings unknown at deploy time: only the fixed client role name, and only with an External ID.',
          appliesTo: resources.map((arn) => `Resource::${arn.replace(cdk.Aws.PARTITION, '<AWS::Partition>')}`),
        },
      ],
      true,
    );
  }
}
