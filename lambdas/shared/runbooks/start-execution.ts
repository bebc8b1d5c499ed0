import { ulid } from 'ulid';
import * as z from 'zod';
import { allowedRunbook, enabledTarget } from '../domain/aws-integration';
import { instanceIdSchema } from '../domain/runbook-catalog';
import type { TenantCaller } from '../auth/caller';
import { BadRequestError, ConflictError, NotFoundError } from '../http/errors';
import { parseOrThrow } from '../http/validation';
import { logger } from '../observability/logger';
import { actorOf } from '../table/audit';
import { isUlid } from '../table/ids';
import { getIncident } from '../table/incidents';
import type { RunbookExecution } from '../table/items';
import { assertRoomForExecution, recordExecutionEnd, recordExecutionStart } from '../table/runbook-executions';
import { readAwsIntegration } from './integration-config';
import { runbookWorkflowStarter } from './workflow-starter';

/** `POST /v1/incidents/{incident_id}/runbooks`: the shape only; which runbooks and parameters are allowed needs the tenant's config. */
export const startRunbookRequestSchema = z.object({
  runbook: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(128, 'must be at most 128 characters'),
  instance_id: instanceIdSchema,
  parameters: z.record(z.string(), z.unknown(), { error: 'must be an object' }).optional(),
});
export type StartRunbookRequest = z.infer<typeof startRunbookRequestSchema>;

/**
 * Records a `running` execution on the incident and starts the workflow, in API.md's order:
 * 404 incident → 409 integration off (or the incident full) → 400 runbook off the allow-list
 * → 400 its parameters. The execution is written before the workflow starts, so the
 * workflow always finds it; if the start fails, it is marked failed rather than left running.
 */
export async function startRunbookExecution(caller: TenantCaller, incidentId: string, request: StartRunbookRequest, now: Date): Promise<RunbookExecution> {
  const { tenantId } = caller;
  const incident = isUlid(incidentId) ? await getIncident(tenantId, incidentId) : undefined;
  if (!incident) throw new NotFoundError('incident');

  const target = enabledTarget(await readAwsIntegration(tenantId));
  if (!target) {
    throw new ConflictError('integration_disabled', 'The AWS integration is not enabled for this tenant; enable it with PUT /v1/config/aws-integration.');
  }
  assertRoomForExecution(incident);

  const runbook = allowedRunbook(target, request.runbook);
  if (!runbook) {
    throw new BadRequestError('runbook_not_allowed', "The runbook is not on this tenant's allow-list.", [
      { field: 'runbook', message: 'must be one of the allowed_runbooks of the AWS integration' },
    ]);
  }
  const parameters = parseOrThrow(runbook.parameters, request.parameters ?? {}, ['parameters']);

  const execution: RunbookExecution = {
    execution_id: ulid(now.getTime()),
    status: 'running',
    runbook: runbook.name,
    instance_id: request.instance_id,
    aws_account: target.accountId,
    started_at: now.toISOString(),
  };
  const actor = actorOf(caller);
  await recordExecutionStart(tenantId, incident.id, execution, {
    actor,
    action: 'runbook.started',
    target: `incident/${incident.id}/runbooks/${execution.execution_id}`,
    details: { runbook: runbook.name, instance_id: request.instance_id, aws_account: target.accountId, parameters },
  });

  try {
    await runbookWorkflowStarter().start({
      tenant_id: tenantId,
      incident_id: incident.id,
      execution_id: execution.execution_id,
      runbook: runbook.name,
      instance_id: request.instance_id,
      parameters,
    });
  } catch (error) {
    const end = { status: 'failed' as const, ended_at: new Date().toISOString(), error: 'The runbook workflow could not be started.' };
    await recordExecutionEnd(tenantId, incident.id, execution.execution_id, end, { actor }).catch((recordError: unknown) =>
      logger.error('could not mark an unstarted execution failed', { execution_id: execution.execution_id, error: recordError }),
    );
    throw error;
  }
  return execution;
}
