import * as z from 'zod';
import type { ExecutionEnd } from '../table/runbook-executions';
import { TENANT_FACING_TASK_ERRORS } from './task-errors';
import type { CaughtError, RecordInput } from './workflow-state';

/**
 * The final state of an execution from the workflow's state at RecordResult. Pure: the
 * record task passes `now`. Only our own named errors reach the tenant with their message;
 * anything else (a Lambda fault, a bug) is recorded with a fixed sentence, never a trace.
 */

const UNEXPECTED_FAILURE = 'The runbook workflow failed unexpectedly; the MSP can find the details in its logs.';

/** The Lambda runtime's error JSON (`Cause` in AWS). */
const lambdaErrorSchema = z.object({ errorMessage: z.string() });

function causeMessage(cause: string | undefined): string | undefined {
  if (cause === undefined) return undefined;
  try {
    const parsed = lambdaErrorSchema.safeParse(JSON.parse(cause));
    return parsed.success ? parsed.data.errorMessage : cause;
  } catch {
    // Locally (aws-local-stepfunctions) `Cause` is the message itself.
    return cause;
  }
}

export function failureReason(caught: CaughtError): string {
  if (caught.Error === 'States.Timeout') return 'A workflow step timed out.';
  if (!TENANT_FACING_TASK_ERRORS.has(caught.Error)) return UNEXPECTED_FAILURE;
  return causeMessage(caught.Cause) || UNEXPECTED_FAILURE;
}

export function executionEnd(state: RecordInput, now: Date): ExecutionEnd {
  const base = { ended_at: now.toISOString(), ...(state.command ? { command_id: state.command.command_id } : {}) };
  if (state.error) return { ...base, status: 'failed', error: failureReason(state.error) };
  if (state.poll && state.poll.outcome !== 'pending') {
    return { ...base, status: state.poll.outcome, ...(state.poll.detail ? { error: state.poll.detail } : {}) };
  }
  // Only CancelCommand leads here with the command still pending: it ran past its deadline.
  const cancelled = state.cancel_error ? `cancelling it failed: ${failureReason(state.cancel_error)}` : 'it was cancelled.';
  return { ...base, status: 'timed_out', error: `No result by ${state.command?.deadline ?? 'the deadline'}; ${cancelled}` };
}
