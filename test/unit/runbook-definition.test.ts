import aslValidator from 'asl-validator';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import * as z from 'zod';
import {
  CHOICE_STATE,
  RECORD_FAILED_STATE,
  RUNBOOK_TASK_NAMES,
  RUNBOOK_TASKS,
  runbookDefinition,
  WAIT_STATE,
  type RunbookTask,
} from '../../lib/runbook-definition';
import { roleSessionName } from '../../lambdas/shared/domain/aws-integration';
import { runbookByName } from '../../lambdas/shared/domain/runbook-catalog';
import { commandComment, commandDeadline, pollOutcome, POLL_INTERVAL_SECONDS } from '../../lambdas/shared/runbooks/command-tracking';
import { executionEnd } from '../../lambdas/shared/runbooks/execution-outcome';
import { ASSUME_ROLE_DENIED_REASON, THROTTLED } from '../../lambdas/shared/runbooks/task-errors';
import type { RecordInput } from '../../lambdas/shared/runbooks/workflow-state';

const ARNS = Object.fromEntries(
  RUNBOOK_TASK_NAMES.map((task) => [task, `arn:aws:lambda:eu-west-1:123456789012:function:aw-${RUNBOOK_TASKS[task].folder}`]),
) as Record<RunbookTask, string>;

const definition = runbookDefinition(ARNS);
type State = StateMachineDefinition['States'][string];
const states = definition.States;
const RECORD = RUNBOOK_TASKS.recordResult.state;

function transitionsOf(state: State): string[] {
  const targets: string[] = [];
  if ('Next' in state && typeof state.Next === 'string') targets.push(state.Next);
  if ('Default' in state && state.Default) targets.push(state.Default);
  if ('Choices' in state) targets.push(...state.Choices.map((choice) => choice.Next));
  if ('Catch' in state && state.Catch) targets.push(...state.Catch.map((catcher) => catcher.Next));
  return targets;
}

function reachableFrom(start: string): Set<string> {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...transitionsOf(states[name]));
  }
  return seen;
}

describe('runbook state machine definition', () => {
  it('is valid Amazon States Language (asl-validator, with path and ARN checks)', () => {
    // The validator annotates what it is given: hand it a copy.
    const result = aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('polls in a Wait → PollCommand → Choice loop that waits again while the command is pending', () => {
    const wait = states[WAIT_STATE];
    expect(wait).toMatchObject({ Type: 'Wait', Seconds: POLL_INTERVAL_SECONDS, Next: RUNBOOK_TASKS.pollCommand.state });
    expect(states[RUNBOOK_TASKS.pollCommand.state]).toMatchObject({ Type: 'Task', Next: CHOICE_STATE });
    const choice = states[CHOICE_STATE];
    expect(choice.Type).toBe('Choice');
    expect(choice).toMatchObject({ Default: WAIT_STATE });
    expect(transitionsOf(choice)).toEqual(expect.arrayContaining([RECORD, RUNBOOK_TASKS.cancelCommand.state, WAIT_STATE]));
  });

  it('names each task function by the ARN it is given, through the Lambda invoke integration', () => {
    for (const task of RUNBOOK_TASK_NAMES) {
      expect(states[RUNBOOK_TASKS[task].state]).toMatchObject({
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: ARNS[task] },
      });
    }
  });

  it('catches every failure of the client-facing tasks into RecordResult, and every state can reach it', () => {
    for (const task of ['loadConfig', 'sendCommand', 'pollCommand', 'cancelCommand'] as const) {
      const state = states[RUNBOOK_TASKS[task].state];
      expect('Catch' in state && state.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: RECORD })]);
    }
    for (const name of Object.keys(states).filter((name) => name !== RECORD_FAILED_STATE)) {
      expect([name, reachableFrom(name).has(RECORD)]).toEqual([name, true]);
    }
  });

  it('retries throttling with exponential backoff on every task, and Lambda throttling before the function ran', () => {
    for (const task of RUNBOOK_TASK_NAMES) {
      const state = states[RUNBOOK_TASKS[task].state];
      const retry = 'Retry' in state ? (state.Retry ?? []) : [];
      expect(retry).toContainEqual(expect.objectContaining({ ErrorEquals: [THROTTLED], BackoffRate: 2, MaxAttempts: 5 }));
      expect(retry).toContainEqual(expect.objectContaining({ ErrorEquals: ['Lambda.TooManyRequestsException'] }));
    }
    // A Lambda fault after the function may have run is not retried for SendCommand: the command could run twice.
    const sendRetry = JSON.stringify(states[RUNBOOK_TASKS.sendCommand.state]);
    expect(sendRetry).not.toContain('Lambda.ServiceException');
    expect(sendRetry).not.toContain('States.ALL"],"Interval');
  });

  it('carries only ids and names between states: no credential, External ID or role in the definition', () => {
    expect(JSON.stringify(definition)).not.toMatch(/credential|external|secret|role_arn|session/i);
  });
});

/** What the Lambda invoke integration hands a function. */
const invocation = z.object({ Payload: z.unknown() });

/** Runs the definition with stub tasks: checks the data flow between states, not the handlers. */
async function runWithStubs(stubs: Partial<Record<RunbookTask, (payload: unknown) => unknown>>) {
  const recorded: unknown[] = [];
  const calls: string[] = [];
  const handlers = Object.fromEntries(
    RUNBOOK_TASK_NAMES.map((task) => [
      RUNBOOK_TASKS[task].state,
      async (input: unknown) => {
        calls.push(task);
        const payload = invocation.parse(input).Payload;
        if (task === 'recordResult') recorded.push(payload);
        const stub = stubs[task];
        // Through JSON, as Lambda answers.
        return { Payload: JSON.parse(JSON.stringify((stub ? await stub(payload) : {}) ?? null)) };
      },
    ]),
  );
  const machine = new StateMachine(definition);
  const { result } = machine.run(
    { tenant_id: 'acme', incident_id: 'I', execution_id: 'E', runbook: 'AW-CollectDiagnostics', instance_id: 'i-0123456789abcdef0', parameters: {} },
    { overrides: { taskResourceLocalHandlers: handlers, waitTimeOverrides: { [WAIT_STATE]: 0 }, retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((state) => [state, 0])) } },
  );
  const output = await result;
  return { output, recorded, calls };
}

describe('runbook definition data flow (stub tasks on aws-local-stepfunctions)', () => {
  const sent = { command_id: 'cmd-1', deadline: '2030-01-01T00:00:00Z' };

  it('polls until a terminal outcome and hands RecordResult the command and the poll', async () => {
    const outcomes = ['pending', 'pending', 'success'];
    const { recorded, calls } = await runWithStubs({
      sendCommand: () => sent,
      pollCommand: () => ({ outcome: outcomes.shift(), detail: null, checked_at: '2029-01-01T00:00:00Z' }),
      recordResult: () => ({ status: 'success' }),
    });
    expect(calls.filter((call) => call === 'pollCommand')).toHaveLength(3);
    expect(calls).not.toContain('cancelCommand');
    expect(recorded).toEqual([expect.objectContaining({ command: sent, poll: { outcome: 'success', detail: null, checked_at: '2029-01-01T00:00:00Z' } })]);
  });

  it('cancels a command still pending at its deadline', async () => {
    const { recorded, calls } = await runWithStubs({
      sendCommand: () => sent,
      pollCommand: () => ({ outcome: 'pending', detail: null, checked_at: '2030-01-01T00:00:01Z' }),
      recordResult: () => ({ status: 'timed_out' }),
    });
    expect(calls).toEqual(['loadConfig', 'sendCommand', 'pollCommand', 'cancelCommand', 'recordResult']);
    expect(recorded[0]).toMatchObject({ poll: { outcome: 'pending' }, command: sent });
  });

  it('retries Throttled, then catches a named failure into RecordResult with its name and message', async () => {
    let attempts = 0;
    const { recorded, calls } = await runWithStubs({
      sendCommand: () => {
        attempts += 1;
        const error = new Error(attempts < 3 ? 'slow down' : ASSUME_ROLE_DENIED_REASON);
        error.name = attempts < 3 ? THROTTLED : 'AssumeRoleFailed';
        throw error;
      },
      recordResult: () => ({ status: 'failed' }),
    });
    expect(attempts).toBe(3);
    expect(calls).not.toContain('pollCommand');
    expect(recorded[0]).toMatchObject({ error: { Error: 'AssumeRoleFailed', Cause: ASSUME_ROLE_DENIED_REASON } });
  });
});

describe('runbook workflow rules', () => {
  it('names the client session AlertWhisperer-<tenant>-<epoch>, within 64 characters of STS’s set, epoch intact', () => {
    const now = new Date('2024-05-01T12:00:00Z');
    expect(roleSessionName('acme', now)).toBe('AlertWhisperer-acme-1714564800');
    const long = roleSessionName('a'.repeat(47), now);
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^AlertWhisperer-a+-1714564800$/);
    expect(long).toMatch(/^[\w+=,.@-]{2,64}$/);
  });

  it('sets the deadline past delivery, the runbook timeout and a grace period, as an RFC 3339 second', () => {
    const runbook = runbookByName('AW-CollectDiagnostics');
    if (!runbook) throw new Error('catalog changed');
    expect(commandDeadline(runbook, new Date('2024-05-01T12:00:00.123Z'))).toBe('2024-05-01T12:08:00Z');
    expect(commandComment('01HZZZZZZZZZZZZZZZZZZZZZZZ', '01HYYYYYYYYYYYYYYYYYYYYYYY').length).toBeLessThanOrEqual(100);
  });

  it('maps SSM invocation states to outcomes', () => {
    const at = new Date('2024-05-01T12:00:00Z');
    expect(pollOutcome({ Status: 'InProgress' }, at).outcome).toBe('pending');
    expect(pollOutcome({ Status: 'Delayed' }, at).outcome).toBe('pending');
    expect(pollOutcome({ Status: 'Success' }, at)).toEqual({ outcome: 'success', detail: null, checked_at: '2024-05-01T12:00:00Z' });
    expect(pollOutcome({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 5, StandardErrorContent: 'service x not found\n' }, at)).toMatchObject({
      outcome: 'failed',
      detail: 'The command failed (exit code 5): Failed - service x not found',
    });
    expect(pollOutcome({ Status: 'Cancelled' }, at).outcome).toBe('failed');
    expect(pollOutcome({ Status: 'TimedOut', StatusDetails: 'DeliveryTimedOut' }, at).outcome).toBe('timed_out');
  });

  const base: RecordInput = { tenant_id: 'acme', incident_id: 'I', execution_id: 'E', runbook: 'AW-DiskCleanup', instance_id: 'i-0123456789abcdef0', parameters: {} };
  const now = new Date('2024-05-01T12:00:00Z');

  it('records our named errors with their message (in AWS the Cause is the Lambda error JSON), anything else with a fixed sentence', () => {
    const awsCause = JSON.stringify({ errorType: 'AssumeRoleFailed', errorMessage: ASSUME_ROLE_DENIED_REASON, trace: ['at x'] });
    expect(executionEnd({ ...base, error: { Error: 'AssumeRoleFailed', Cause: awsCause } }, now)).toEqual({
      status: 'failed',
      error: ASSUME_ROLE_DENIED_REASON,
      ended_at: now.toISOString(),
    });
    const internal = executionEnd({ ...base, error: { Error: 'TypeError', Cause: 'Cannot read properties of undefined (reading "x") at /var/task/index.js:1' } }, now);
    expect(internal.error).not.toMatch(/TypeError|var\/task/);
  });

  it('records a cancelled command as timed_out, saying whether the cancel worked', () => {
    const command = { command_id: 'cmd-1', deadline: '2024-05-01T11:59:00Z' };
    const poll = { outcome: 'pending' as const, detail: null, checked_at: '2024-05-01T11:59:05Z' };
    expect(executionEnd({ ...base, command, poll }, now)).toMatchObject({ status: 'timed_out', command_id: 'cmd-1', error: expect.stringMatching(/cancelled/) });
    const failedCancel = executionEnd({ ...base, command, poll, cancel_error: { Error: 'ClientCommandFailed', Cause: 'CancelCommand failed - InvalidCommandId: x' } }, now);
    expect(failedCancel).toMatchObject({ status: 'timed_out', error: expect.stringMatching(/cancelling it failed: CancelCommand failed/) });
  });
});
