import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { POLL_INTERVAL_SECONDS } from '../lambdas/shared/runbooks/command-tracking';
import { THROTTLED } from '../lambdas/shared/runbooks/task-errors';

/**
 * The runbook workflow as Amazon States Language, from the task functions' ARNs: the CDK
 * construct passes real ARNs (tokens), the local runner placeholders, and both run this one
 * definition. Pure: a plain JSON object, no CDK, no client.
 *
 * LoadConfig → SendCommand → WaitForCommand → PollCommand → CheckCommand ─┬→ RecordResult
 *                                  ▲                                       ├→ CancelCommand → RecordResult
 *                                  └───────────── (pending) ───────────────┘
 * Every failure is caught into RecordResult, so an execution never stays `running`.
 * The state's shape between tasks is `lambdas/shared/runbooks/workflow-state.ts`.
 */

/** Each task: its state name, and its function's folder under `lambdas/runbook-tasks/`. */
export const RUNBOOK_TASKS = {
  loadConfig: { state: 'LoadConfig', folder: 'load-config', assumesClientRole: false },
  sendCommand: { state: 'SendCommand', folder: 'send-command', assumesClientRole: true },
  pollCommand: { state: 'PollCommand', folder: 'poll-command', assumesClientRole: true },
  cancelCommand: { state: 'CancelCommand', folder: 'cancel-command', assumesClientRole: true },
  recordResult: { state: 'RecordResult', folder: 'record-result', assumesClientRole: false },
} as const;
export type RunbookTask = keyof typeof RUNBOOK_TASKS;
export const RUNBOOK_TASK_NAMES = Object.keys(RUNBOOK_TASKS) as RunbookTask[];

export type RunbookTaskArns = Readonly<Record<RunbookTask, string>>;

export const WAIT_STATE = 'WaitForCommand';
export const CHOICE_STATE = 'CheckCommand';
export const RECORD_FAILED_STATE = 'RecordFailed';

type States = StateMachineDefinition['States'];
type TaskState = Extract<States[string], { Type: 'Task' }>;
type Retrier = NonNullable<TaskState['Retry']>[number];

/** The optimised Lambda integration: `Payload` in, `{Payload, StatusCode, …}` out. Commercial partition only (as the Regions the API accepts). */
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

/** A task Lambda runs for seconds; its function timeout is 30 s. */
const TASK_TIMEOUT_SECONDS = 60;

/** Lambda refused to start the function: it never ran, so a retry cannot repeat a side effect. */
const LAMBDA_NOT_INVOKED: Retrier = {
  ErrorEquals: ['Lambda.TooManyRequestsException'],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

/** AWS said "slow down" (STS, SSM or DynamoDB), mapped to `Throttled` by the task: the call did not happen. */
const THROTTLED_RETRY: Retrier = {
  ErrorEquals: [THROTTLED],
  IntervalSeconds: 2,
  MaxAttempts: 5,
  BackoffRate: 2,
  MaxDelaySeconds: 30,
  JitterStrategy: 'FULL',
};

/**
 * Lambda faults where the function may or may not have run: retried only for tasks that are
 * safe to repeat. SendCommand is not retried on these, or one request could run twice.
 */
const LAMBDA_FAULTS: Retrier = {
  ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'],
  IntervalSeconds: 2,
  MaxAttempts: 3,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

const CATCH_INTO_RECORD = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: RUNBOOK_TASKS.recordResult.state }];

/** Poll and Cancel need the command and its instance, nothing else. */
const COMMAND_REF_PAYLOAD = {
  'tenant_id.$': '$.tenant_id',
  'instance_id.$': '$.instance_id',
  'command_id.$': '$.command.command_id',
};

/** The whole state as the function's event. */
const WHOLE_STATE = { 'Payload.$': '$' };

function lambdaTask(functionArn: string, payload: typeof WHOLE_STATE | { Payload: Record<string, string> }, retry: Retrier[]) {
  return {
    Type: 'Task' as const,
    Resource: LAMBDA_INVOKE,
    Parameters: { FunctionName: functionArn, ...payload },
    TimeoutSeconds: TASK_TIMEOUT_SECONDS,
    Retry: retry,
  };
}

export function runbookDefinition(arns: RunbookTaskArns): StateMachineDefinition {
  const idempotent = [LAMBDA_NOT_INVOKED, LAMBDA_FAULTS, THROTTLED_RETRY];
  const { loadConfig, sendCommand, pollCommand, cancelCommand, recordResult } = RUNBOOK_TASKS;
  return {
    Comment: 'Alert Whisperer runbook: check the tenant integration, run an approved SSM document in the client account, follow it, record the outcome on the incident.',
    StartAt: loadConfig.state,
    States: {
      [loadConfig.state]: {
        ...lambdaTask(arns.loadConfig, WHOLE_STATE, idempotent),
        // A gate: its answer is not needed later.
        ResultPath: null,
        Catch: CATCH_INTO_RECORD,
        Next: sendCommand.state,
      },
      [sendCommand.state]: {
        ...lambdaTask(arns.sendCommand, WHOLE_STATE, [LAMBDA_NOT_INVOKED, THROTTLED_RETRY]),
        ResultSelector: { 'command_id.$': '$.Payload.command_id', 'deadline.$': '$.Payload.deadline' },
        ResultPath: '$.command',
        Catch: CATCH_INTO_RECORD,
        Next: WAIT_STATE,
      },
      [WAIT_STATE]: {
        Type: 'Wait',
        Seconds: POLL_INTERVAL_SECONDS,
        Next: pollCommand.state,
      },
      [pollCommand.state]: {
        ...lambdaTask(arns.pollCommand, { Payload: COMMAND_REF_PAYLOAD }, idempotent),
        ResultSelector: { 'outcome.$': '$.Payload.outcome', 'detail.$': '$.Payload.detail', 'checked_at.$': '$.Payload.checked_at' },
        ResultPath: '$.poll',
        Catch: CATCH_INTO_RECORD,
        Next: CHOICE_STATE,
      },
      [CHOICE_STATE]: {
        Type: 'Choice',
        Choices: [
          {
            Or: [
              { Variable: '$.poll.outcome', StringEquals: 'success' },
              { Variable: '$.poll.outcome', StringEquals: 'failed' },
              { Variable: '$.poll.outcome', StringEquals: 'timed_out' },
            ],
            Next: recordResult.state,
          },
          {
            // Still pending at the deadline SendCommand set (runbook timeout + delivery + grace): give up and cancel.
            Variable: '$.poll.checked_at',
            TimestampGreaterThanEqualsPath: '$.command.deadline',
            Next: cancelCommand.state,
          },
        ],
        Default: WAIT_STATE,
      },
      [cancelCommand.state]: {
        ...lambdaTask(arns.cancelCommand, { Payload: COMMAND_REF_PAYLOAD }, idempotent),
        ResultPath: null,
        // The command did time out whether or not the cancel worked: recorded as timed_out, with the cancel's failure.
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.cancel_error', Next: recordResult.state }],
        Next: recordResult.state,
      },
      [recordResult.state]: {
        ...lambdaTask(arns.recordResult, WHOLE_STATE, [
          ...idempotent,
          // Recording is idempotent and the last word on the execution: worth a few more tries of anything.
          { ErrorEquals: ['States.ALL'], IntervalSeconds: 5, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' },
        ]),
        ResultSelector: { 'status.$': '$.Payload.status' },
        Catch: [{ ErrorEquals: ['States.ALL'], Next: RECORD_FAILED_STATE }],
        End: true,
      },
      [RECORD_FAILED_STATE]: {
        Type: 'Fail',
        Error: 'RecordFailed',
        Cause: 'The outcome could not be written to the incident; the execution still reads running there.',
      },
    },
  };
}
