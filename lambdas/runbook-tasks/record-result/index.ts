import { executionEnd } from '../../shared/runbooks/execution-outcome';
import { runbookTask } from '../../shared/runbooks/task-handler';
import { recordInputSchema } from '../../shared/runbooks/workflow-state';
import { recordExecutionEnd } from '../../shared/table/runbook-executions';

/** The actor of the audit entries the workflow writes; the start was audited with the caller's key. */
export const WORKFLOW_ACTOR = 'system:runbook-workflow';

/** RecordResult: every path of the workflow ends here, so no execution is left `running`. */
export const handler = runbookTask('RecordResult', recordInputSchema, async (input, now) => {
  const recorded = await recordExecutionEnd(input.tenant_id, input.incident_id, input.execution_id, executionEnd(input, now), { actor: WORKFLOW_ACTOR });
  return { status: recorded.status };
});
