import type { SFNClient } from '@aws-sdk/client-sfn';
import { ENV, requiredEnv } from '../runtime/environment';
import type { RunbookWorkflowInput } from './workflow-input';

/** Starts the runbook workflow for one recorded execution; resolves once it is started, not finished. */
export interface RunbookWorkflowStarter {
  start(input: RunbookWorkflowInput): Promise<void>;
}

/** In AWS: a Step Functions execution named after the execution id, so a repeated start cannot run it twice. */
export function stepFunctionsWorkflowStarter(stateMachineArn: string, sfn?: Pick<SFNClient, 'send'>): RunbookWorkflowStarter {
  return {
    async start(input) {
      // Loaded on the first start rather than at cold start: reads of executions never need it.
      const { SFNClient, StartExecutionCommand } = await import('@aws-sdk/client-sfn');
      sfn ??= new SFNClient({});
      await sfn.send(new StartExecutionCommand({ stateMachineArn, name: input.execution_id, input: JSON.stringify(input) }));
    },
  };
}

let installed: RunbookWorkflowStarter | undefined;

/** Replaces the workflow starter of this process (local server, tests). */
export function useRunbookWorkflowStarter(starter: RunbookWorkflowStarter): void {
  installed = starter;
}

export function runbookWorkflowStarter(): RunbookWorkflowStarter {
  installed ??= stepFunctionsWorkflowStarter(requiredEnv(ENV.runbookStateMachineArn));
  return installed;
}
