import { CancelCommandCommand } from '@aws-sdk/client-ssm';
import { clientSsm, inClientAccount } from '../../shared/runbooks/client-account';
import { clientAccountTarget } from '../../shared/runbooks/runbook-target';
import { runbookTask } from '../../shared/runbooks/task-handler';
import { commandRefSchema } from '../../shared/runbooks/workflow-state';

/** CancelCommand: the command ran past its deadline; stop it rather than leave it running unobserved. */
export const handler = runbookTask('CancelCommand', commandRefSchema, async (input, now) => {
  const target = await clientAccountTarget(input.tenant_id);
  const ssm = await clientSsm(target, input.tenant_id, now);
  await inClientAccount('CancelCommand', () => ssm.send(new CancelCommandCommand({ CommandId: input.command_id, InstanceIds: [input.instance_id] })));
  return { cancelled: true };
});
