import './promise-with-resolvers';
import { StateMachine, type RunOptions } from 'aws-local-stepfunctions';
import * as z from 'zod';
import { RUNBOOK_TASK_NAMES, RUNBOOK_TASKS, runbookDefinition, WAIT_STATE, type RunbookTask } from '../../lib/runbook-definition';
import { handler as cancelCommand } from '../../lambdas/runbook-tasks/cancel-command';
import { handler as loadConfig } from '../../lambdas/runbook-tasks/load-config';
import { handler as pollCommand } from '../../lambdas/runbook-tasks/poll-command';
import { handler as recordResult } from '../../lambdas/runbook-tasks/record-result';
import { handler as sendCommand } from '../../lambdas/runbook-tasks/send-command';
import { BoundedLruCache } from '../../lambdas/shared/cache/bounded-lru';
import { logger } from '../../lambdas/shared/observability/logger';
import type { RunbookWorkflowStarter } from '../../lambdas/shared/runbooks/workflow-starter';

/**
 * The runbook workflow under `npm start` and in the integration tests: the SAME definition
 * (`lib/runbook-definition.ts`) on aws-local-stepfunctions, each Task state calling the
 * real task handler in this process. Waits and retry intervals are shortened; everything
 * else — STS, SSM, the scoped table client — is what the handlers use in AWS. Without AWS
 * credentials AssumeRole fails and the execution is recorded `failed` with that reason.
 */

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type JsonValue = Parameters<LocalHandlers[string]>[0];

const TASK_HANDLERS: Readonly<Record<RunbookTask, (event: unknown) => Promise<unknown>>> = {
  loadConfig,
  sendCommand,
  pollCommand,
  cancelCommand,
  recordResult,
};

/** Placeholders where AWS has function ARNs: the local handlers replace the invocations. */
const LOCAL_TASK_ARNS = Object.fromEntries(
  RUNBOOK_TASK_NAMES.map((task) => [task, `arn:aws:lambda:us-east-1:000000000000:function:alert-whisperer-local-${RUNBOOK_TASKS[task].folder}`]),
) as Record<RunbookTask, string>;

/** What the `lambda:invoke` integration hands a function: `{FunctionName, Payload}`. */
const invocationSchema = z.object({ Payload: z.unknown() });

/** A task state's local handler: unwrap `Payload`, run the handler, answer as the integration does (`{Payload}`), through JSON as Lambda would. */
function asLambdaInvoke(handler: (event: unknown) => Promise<unknown>) {
  return async (input: JsonValue): Promise<JsonValue> => {
    const result = await handler(invocationSchema.parse(input).Payload);
    const payload: JsonValue = JSON.parse(JSON.stringify(result ?? null));
    return { Payload: payload };
  };
}

export type LocalExecutionResult = { readonly status: 'SUCCEEDED'; readonly output: unknown } | { readonly status: 'FAILED'; readonly error: unknown };

export interface LocalRunbookWorkflowOptions {
  /** How long the Wait state between polls lasts. @default 1000 ms */
  readonly waitMilliseconds?: number;
  /** How long a Retry waits. @default 200 ms */
  readonly retryMilliseconds?: number;
}

export interface LocalRunbookWorkflow extends RunbookWorkflowStarter {
  /** Settles when the execution has ended (its outcome recorded), never rejects; undefined for an id this runner did not start. */
  completion(executionId: string): Promise<LocalExecutionResult> | undefined;
  /** Settles when every execution started so far has ended. */
  idle(): Promise<void>;
}

export function localRunbookWorkflow(options: LocalRunbookWorkflowOptions = {}): LocalRunbookWorkflow {
  const machine = new StateMachine(runbookDefinition(LOCAL_TASK_ARNS));
  const retryMilliseconds = options.retryMilliseconds ?? 200;
  const overrides: RunOptions['overrides'] = {
    taskResourceLocalHandlers: Object.fromEntries(RUNBOOK_TASK_NAMES.map((task) => [RUNBOOK_TASKS[task].state, asLambdaInvoke(TASK_HANDLERS[task])])),
    waitTimeOverrides: { [WAIT_STATE]: options.waitMilliseconds ?? 1000 },
    retryIntervalOverrides: Object.fromEntries(RUNBOOK_TASK_NAMES.map((task) => [RUNBOOK_TASKS[task].state, retryMilliseconds])),
  };
  // A long-running local server starts many executions: keep the handles of ended ones bounded.
  const executions = new BoundedLruCache<string, Promise<LocalExecutionResult>>(1_000);
  const running = new Set<Promise<LocalExecutionResult>>();

  return {
    async start(input) {
      const { result } = machine.run(input, { overrides });
      const ended = result.then(
        (output): LocalExecutionResult => ({ status: 'SUCCEEDED', output }),
        (error: unknown): LocalExecutionResult => {
          logger.error('local runbook workflow failed', { execution_id: input.execution_id, error });
          return { status: 'FAILED', error };
        },
      );
      executions.set(input.execution_id, ended);
      running.add(ended);
      void ended.then(() => running.delete(ended));
    },
    completion: (executionId) => executions.get(executionId),
    async idle() {
      await Promise.all([...running]);
    },
  };
}
