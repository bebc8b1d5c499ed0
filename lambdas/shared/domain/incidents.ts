import * as z from 'zod';

/** `PATCH /v1/incidents/{id}`: a technician moves an incident on; `new` is never a target. */
export const incidentPatchSchema = z.object({
  status: z.enum(['in_progress', 'escalated', 'resolved']),
  note: z.string().trim().min(1).max(2000, 'must be at most 2000 characters').optional(),
});
export type IncidentPatch = z.infer<typeof incidentPatchSchema>;
