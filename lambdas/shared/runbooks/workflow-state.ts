import * as z from 'zod';
import { runbookWorkflowInputSchema } from './workflow-input';

/**
 * The JSON the runbook workflow carries from state to state, as `lib/runbook-definition.ts`
 * shapes it with `ResultSelector`/`ResultPath`: the input, then `command` (SendCommand),
 * `poll` (PollCommand), and `error`/`cancel_error` (a `Catch`). Ids and names only.
 */

/** SendCommand's answer, at `$.command`. `deadline` is an RFC 3339 time the Choice state compares with. */
export const commandSentSchema = z.object({
  command_id: z.string().min(1),
  deadline: z.string(),
});
export type CommandSent = z.infer<typeof commandSentSchema>;

export const POLL_OUTCOMES = ['pending', 'success', 'failed', 'timed_out'] as const;
export type PollOutcome = (typeof POLL_OUTCOMES)[number];

/** PollCommand's answer, at `$.poll`. Every field is always present: a JSONPath to a missing field fails the state. */
export const pollResultSchema = z.object({
  outcome: z.enum(POLL_OUTCOMES),
  detail: z.string().nullable(),
  checked_at: z.string(),
});
export type PollResult = z.infer<typeof pollResultSchema>;

/** What a `Catch` puts at its `ResultPath`. In AWS `Cause` is the Lambda error as JSON; locally, the message. */
export const caughtErrorSchema = z.object({
  Error: z.string(),
  Cause: z.string().optional(),
});
export type CaughtError = z.infer<typeof caughtErrorSchema>;

/** PollCommand and CancelCommand need only these. */
export const commandRefSchema = z.object({
  tenant_id: runbookWorkflowInputSchema.shape.tenant_id,
  instance_id: runbookWorkflowInputSchema.shape.instance_id,
  command_id: z.string().min(1),
});
export type CommandRef = z.infer<typeof commandRefSchema>;

/** RecordResult receives the whole state. */
export const recordInputSchema = runbookWorkflowInputSchema.extend({
  command: commandSentSchema.optional(),
  poll: pollResultSchema.optional(),
  error: caughtErrorSchema.optional(),
  cancel_error: caughtErrorSchema.optional(),
});
export type RecordInput = z.infer<typeof recordInputSchema>;
