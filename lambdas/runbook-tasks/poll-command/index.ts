import { GetCommandInvocationCommand } from '@aws-sdk/client-ssm';
import { clientCommandError, clientSsm } from '../../shared/runbooks/client-account';
import { clientAccountTarget } from '../../shared/runbooks/runbook-target';
import { pendingInvocation, pollOutcome } from '../../shared/runbooks/command-tracking';
import { runbookTask } from '../../shared/runbooks/task-handler';
import { commandRefSchema, type PollResult } from '../../shared/runbooks/workflow-state';

/** PollCommand: where the command stands on its instance; the Choice state after it decides what next. */
export const handler = runbookTask('PollCommand', commandRefSchema, async (input, now): Promise<PollResult> => {
  const target = await clientAccountTarget(input.tenant_id);
  const ssm = await clientSsm(target, input.tenant_id, now);
  const invocation = await ssm
    .send(new GetCommandInvocationCommand({ CommandId: input.command_id, InstanceId: input.instance_id }))
    .catch((error: unknown) => {
      // Right after SendCommand, SSM may not know the invocation yet: pending, not failed.
      if (error instanceof Error && error.name === 'InvocationDoesNotExist') return undefined;
      throw clientCommandError('GetCommandInvocation', error);
    });
  return invocation ? pollOutcome(invocation, now) : pendingInvocation(now);
});
