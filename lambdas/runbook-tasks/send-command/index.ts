import { SendCommandCommand } from '@aws-sdk/client-ssm';
import { RUNBOOK_LOG_GROUP_NAME, toSsmParameters } from '../../shared/domain/runbook-catalog';
import { clientSsm, inClientAccount } from '../../shared/runbooks/client-account';
import { clientAccountTarget, requireAllowedRunbook } from '../../shared/runbooks/runbook-target';
import { COMMAND_DELIVERY_TIMEOUT_SECONDS, commandComment, commandDeadline } from '../../shared/runbooks/command-tracking';
import { ClientCommandFailed, InvalidTaskInput } from '../../shared/runbooks/task-errors';
import { runbookTask } from '../../shared/runbooks/task-handler';
import { runbookWorkflowInputSchema } from '../../shared/runbooks/workflow-input';
import type { CommandSent } from '../../shared/runbooks/workflow-state';

/** SendCommand: the approved document, on one instance, output to the client's runbook log group. */
export const handler = runbookTask('SendCommand', runbookWorkflowInputSchema, async (input, now): Promise<CommandSent> => {
  const target = await clientAccountTarget(input.tenant_id);
  const runbook = requireAllowedRunbook(target, input.runbook);
  // Validated by the route already; checked again because this is where the values reach the client's instance.
  const parameters = runbook.parameters.safeParse(input.parameters);
  if (!parameters.success) throw new InvalidTaskInput('parameters');

  const ssm = await clientSsm(target, input.tenant_id, now);
  const { Command } = await inClientAccount('SendCommand', () =>
    ssm.send(
      new SendCommandCommand({
        DocumentName: runbook.documentName,
        InstanceIds: [input.instance_id],
        Parameters: toSsmParameters(parameters.data),
        CloudWatchOutputConfig: { CloudWatchOutputEnabled: true, CloudWatchLogGroupName: RUNBOOK_LOG_GROUP_NAME },
        Comment: commandComment(input.incident_id, input.execution_id),
        TimeoutSeconds: COMMAND_DELIVERY_TIMEOUT_SECONDS,
      }),
    ),
  );
  if (!Command?.CommandId) throw new ClientCommandFailed('SendCommand failed - SSM returned no command id');
  return { command_id: Command.CommandId, deadline: commandDeadline(runbook, now) };
});
