import { clientAccountTarget, requireAllowedRunbook } from '../../shared/runbooks/runbook-target';
import { runbookTask } from '../../shared/runbooks/task-handler';
import { runbookWorkflowInputSchema } from '../../shared/runbooks/workflow-input';

/**
 * LoadConfig: the tenant's integration is still enabled and still allows this runbook. The
 * route checked both when it started the execution; this is the workflow's own gate, since
 * the tenant may have changed its mind since.
 */
export const handler = runbookTask('LoadConfig', runbookWorkflowInputSchema, async (input) => {
  const target = await clientAccountTarget(input.tenant_id);
  requireAllowedRunbook(target, input.runbook);
  return { account_id: target.accountId, region: target.region };
});
