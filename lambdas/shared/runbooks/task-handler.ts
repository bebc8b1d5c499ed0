import type * as z from 'zod';
import { logger } from '../observability/logger';
import { InvalidTaskInput, isThrottling, Throttled } from './task-errors';

/**
 * The shape every runbook workflow task shares: parse the state it is handed, run, and let
 * Step Functions see throttling as `Throttled` (which the definition retries with backoff)
 * and every other failure by its own name (which a `Catch` records on the incident).
 */

let clock: () => Date = () => new Date();

/** Replaces the tasks' clock (tests that need a deadline to pass). */
export function useTaskClock(next: () => Date): void {
  clock = next;
}

/** Every task's state names its tenant: each log line of the task carries it. */
export function runbookTask<S extends z.ZodType<{ readonly tenant_id: string }>, R>(task: string, inputSchema: S, run: (input: z.output<S>, now: Date) => Promise<R>) {
  return async (event: unknown): Promise<R> => {
    const parsed = inputSchema.safeParse(event);
    if (!parsed.success) {
      logger.error('runbook task input rejected', { task, issues: parsed.error.issues.map((issue) => issue.path.join('.')) });
      throw new InvalidTaskInput(parsed.error.issues.map((issue) => issue.path.join('.') || 'input').join(', '));
    }
    logger.appendKeys({ tenant_id: parsed.data.tenant_id, task });
    try {
      return await run(parsed.data, clock());
    } catch (error) {
      logger.warn('runbook task failed', { error });
      throw isThrottling(error) ? new Throttled(task, error) : error;
    } finally {
      logger.removeKeys(['tenant_id', 'task']);
    }
  };
}
