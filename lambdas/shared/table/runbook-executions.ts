import { tableName } from '../access/table-access';
import { ConflictError, NotFoundError } from '../http/errors';
import { writeWithAudit, type AuditEntry } from './audit';
import { failedConditionIndexes, isTransactionConflict, pauseBeforeRetry } from './conditional-writes';
import { getIncident } from './incidents';
import type { IncidentItem, RunbookExecution } from './items';
import { incidentKey } from './keys';
import type { TenantId } from './tenant-id';

/**
 * Runbook executions live on their incident (`runbook_executions`), so `GET /v1/incidents/{id}`
 * shows them and a tenant's session reaches them like any of its items. Each change is one
 * transaction with its audit entry: the list and the audit log never disagree.
 */

/** Bounds the incident item (~300 bytes an execution): 50 stay far below DynamoDB's 400 KB item limit. */
export const MAX_RUNBOOK_EXECUTIONS = 50;

/** Writes to one incident race (alerts joining it, executions starting and ending): a few tries settle them. */
const MAX_ATTEMPTS = 5;
const RETRY_PAUSE_CAP_MS = 300;

/** Strongly consistent: the execution appended a moment ago must be seen when it is finished. */
const readIncident = (tenantId: TenantId, incidentId: string) => getIncident(tenantId, incidentId, { consistent: true });

export type FinishedStatus = Exclude<RunbookExecution['status'], 'running'>;

export interface ExecutionEnd {
  readonly status: FinishedStatus;
  readonly ended_at: string;
  readonly command_id?: string;
  readonly error?: string;
}

export function findExecution(incident: IncidentItem, executionId: string): RunbookExecution | undefined {
  return incident.runbook_executions.find((execution) => execution.execution_id === executionId);
}

/** A new execution can be recorded on this incident: 409 once it holds MAX_RUNBOOK_EXECUTIONS. */
export function assertRoomForExecution(incident: IncidentItem): void {
  if (incident.runbook_executions.length >= MAX_RUNBOOK_EXECUTIONS) {
    throw new ConflictError('runbook_limit_reached', `The incident already has ${MAX_RUNBOOK_EXECUTIONS} runbook executions; open a new incident.`);
  }
}

/** Appends a `running` execution (with its audit entry); 404 if the incident is gone, 409 when it is full. */
export async function recordExecutionStart(tenantId: TenantId, incidentId: string, execution: RunbookExecution, audit: AuditEntry): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await writeWithAudit(
        tenantId,
        {
          Update: {
            TableName: tableName(),
            Key: incidentKey(tenantId, incidentId),
            UpdateExpression: 'SET runbook_executions = list_append(if_not_exists(runbook_executions, :none), :execution)',
            // The size check makes the cap hold under concurrent starts, not only for the read before.
            ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(runbook_executions) OR size(runbook_executions) < :max)',
            ExpressionAttributeValues: { ':none': [], ':execution': [execution], ':max': MAX_RUNBOOK_EXECUTIONS },
          },
        },
        audit,
        execution.started_at,
      );
      return;
    } catch (error) {
      if (failedConditionIndexes(error).includes(0)) {
        const incident = await readIncident(tenantId, incidentId);
        if (!incident) throw new NotFoundError('incident');
        assertRoomForExecution(incident);
      }
      if (attempt >= MAX_ATTEMPTS || !isTransactionConflict(error)) throw error;
      await pauseBeforeRetry(attempt, RETRY_PAUSE_CAP_MS);
    }
  }
}

/** Thrown when the execution to finish is not on its incident: the workflow's input names something that does not exist. */
export class ExecutionNotFound extends Error {
  constructor() {
    super('The runbook execution is not recorded on its incident.');
    this.name = 'ExecutionNotFound';
  }
}

/**
 * Writes an execution's final state (with its audit entry) once: a repeated call, such as a
 * Step Functions retry after a write whose answer was lost, finds it finished and writes
 * nothing. Returns the execution as recorded.
 */
export async function recordExecutionEnd(
  tenantId: TenantId,
  incidentId: string,
  executionId: string,
  end: ExecutionEnd,
  audit: Omit<AuditEntry, 'action' | 'target'>,
): Promise<RunbookExecution> {
  for (let attempt = 1; ; attempt += 1) {
    const incident = await readIncident(tenantId, incidentId);
    const index = incident?.runbook_executions.findIndex((execution) => execution.execution_id === executionId) ?? -1;
    if (!incident || index < 0) throw new ExecutionNotFound();
    const current = incident.runbook_executions[index];
    if (current.status !== 'running') return current;

    const finished: RunbookExecution = { ...current, ...end };
    const path = `runbook_executions[${index}]`;
    try {
      await writeWithAudit(
        tenantId,
        {
          Update: {
            TableName: tableName(),
            Key: incidentKey(tenantId, incidentId),
            UpdateExpression: `SET ${path} = :finished`,
            // Executions are never removed, so the index is stable; the condition still proves it.
            ConditionExpression: `${path}.execution_id = :id AND ${path}.#status = :running`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':finished': finished, ':id': executionId, ':running': 'running' },
          },
        },
        {
          ...audit,
          action: 'runbook.finished',
          target: `incident/${incidentId}/runbooks/${executionId}`,
          details: { status: end.status, ...(end.command_id ? { command_id: end.command_id } : {}), ...(end.error ? { error: end.error } : {}) },
        },
        end.ended_at,
      );
      return finished;
    } catch (error) {
      // Finished by someone else between our read and our write (the next read says how), or a concurrent write to the incident.
      const retryable = failedConditionIndexes(error).includes(0) || isTransactionConflict(error);
      if (attempt >= MAX_ATTEMPTS || !retryable) throw error;
      await pauseBeforeRetry(attempt, RETRY_PAUSE_CAP_MS);
    }
  }
}
