import { allowedRunbook, enabledTarget, type ClientAccountTarget } from '../domain/aws-integration';
import type { RunbookDefinition } from '../domain/runbook-catalog';
import type { TenantId } from '../table/tenant-id';
import { readAwsIntegration } from './integration-config';
import { IntegrationDisabled, RunbookNotAllowed } from './task-errors';

/*
 * The workflow's gate, apart from the STS and SSM clients that reaching the client account
 * needs: LoadConfig imports only this, so it does not load them at start.
 */

/** The tenant's enabled integration, read again by each task: disabling it stops a running workflow at its next step. */
export async function clientAccountTarget(tenantId: TenantId): Promise<ClientAccountTarget> {
  const target = enabledTarget(await readAwsIntegration(tenantId));
  if (!target) throw new IntegrationDisabled();
  return target;
}

export function requireAllowedRunbook(target: ClientAccountTarget, name: string): RunbookDefinition {
  const runbook = allowedRunbook(target, name);
  if (!runbook) throw new RunbookNotAllowed(name);
  return runbook;
}
