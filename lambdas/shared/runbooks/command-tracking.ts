import type { CommandInvocationStatus } from '@aws-sdk/client-ssm';
import type { RunbookDefinition } from '../domain/runbook-catalog';
import type { PollResult } from './workflow-state';

/**
 * How the workflow follows one SSM command: when it gives up, what it tells SSM, and what an
 * invocation's status means for the execution. Pure: callers pass `now`.
 */

/** Between two GetCommandInvocation calls (the definition's Wait state). */
export const POLL_INTERVAL_SECONDS = 10;

/** SendCommand `TimeoutSeconds`: how long SSM waits for an offline instance to pick the command up (SSM's minimum is 30). */
export const COMMAND_DELIVERY_TIMEOUT_SECONDS = 300;

/** Beyond delivery and the runbook's own timeout: SSM reports its own TimedOut first, this is the backstop. */
const DEADLINE_GRACE_SECONDS = 60;

/** SendCommand `Comment` is at most 100 characters. */
const COMMENT_MAX = 100;

/** Stderr kept in an execution's `error`: enough to say why, small enough for the incident item. */
const STDERR_TAIL = 300;

/** RFC 3339 without fractions, the form Step Functions' timestamp comparisons document. */
export function stepFunctionsTimestamp(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** When the workflow stops waiting and cancels the command. */
export function commandDeadline(runbook: RunbookDefinition, sentAt: Date): string {
  const seconds = COMMAND_DELIVERY_TIMEOUT_SECONDS + runbook.timeoutSeconds + DEADLINE_GRACE_SECONDS;
  return stepFunctionsTimestamp(new Date(sentAt.getTime() + seconds * 1000));
}

/** Shown in the client's SSM console and CloudTrail next to the command. */
export function commandComment(incidentId: string, executionId: string): string {
  return `Alert Whisperer incident ${incidentId} execution ${executionId}`.slice(0, COMMENT_MAX);
}

export interface InvocationState {
  readonly Status?: CommandInvocationStatus | string;
  readonly StatusDetails?: string;
  readonly ResponseCode?: number;
  readonly StandardErrorContent?: string;
}

function failureDetail(invocation: InvocationState): string {
  const code = invocation.ResponseCode !== undefined && invocation.ResponseCode >= 0 ? ` (exit code ${invocation.ResponseCode})` : '';
  const stderr = invocation.StandardErrorContent?.trim().slice(-STDERR_TAIL);
  return `The command failed${code}: ${invocation.StatusDetails ?? 'Failed'}${stderr ? ` - ${stderr}` : ''}`;
}

/** A GetCommandInvocation answer → where the execution stands. */
export function pollOutcome(invocation: InvocationState, checkedAt: Date): PollResult {
  const checked_at = stepFunctionsTimestamp(checkedAt);
  switch (invocation.Status) {
    case 'Success':
      return { outcome: 'success', detail: null, checked_at };
    case 'Failed':
      return { outcome: 'failed', detail: failureDetail(invocation), checked_at };
    case 'Cancelled':
      return { outcome: 'failed', detail: 'The command was cancelled in the client account.', checked_at };
    case 'TimedOut':
      return { outcome: 'timed_out', detail: `SSM timed the command out: ${invocation.StatusDetails ?? 'TimedOut'}`, checked_at };
    default:
      // Pending, InProgress, Delayed, Cancelling: not over yet.
      return { outcome: 'pending', detail: null, checked_at };
  }
}

/** GetCommandInvocation right after SendCommand may not know the invocation yet (eventual consistency). */
export function pendingInvocation(checkedAt: Date): PollResult {
  return { outcome: 'pending', detail: null, checked_at: stepFunctionsTimestamp(checkedAt) };
}
