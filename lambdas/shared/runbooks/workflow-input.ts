import * as z from 'zod';
import { instanceIdSchema } from '../domain/runbook-catalog';
import { tenantIdSchema } from '../table/tenant-id';

/**
 * What a runbook workflow execution starts with: ids and names only. Step Functions keeps
 * every state's input in its execution history, so credentials, the External ID and the
 * role ARN stay out; each task reads what it needs through the tenant's scoped session.
 */
export const runbookWorkflowInputSchema = z.object({
  tenant_id: tenantIdSchema,
  incident_id: z.string().min(1),
  execution_id: z.string().min(1),
  runbook: z.string().min(1),
  instance_id: instanceIdSchema,
  /** Already validated by the runbook's catalog schema (defaults applied). */
  parameters: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type RunbookWorkflowInput = z.infer<typeof runbookWorkflowInputSchema>;
