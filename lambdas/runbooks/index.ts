import { NotFoundError } from '../shared/http/errors';
import { jsonResponse } from '../shared/http/responses';
import { routeGroup, tenantRoute } from '../shared/http/route-handler';
import { startRunbookExecution, startRunbookRequestSchema } from '../shared/runbooks/start-execution';
import { isUlid } from '../shared/table/ids';
import { getIncident } from '../shared/table/incidents';
import { findExecution } from '../shared/table/runbook-executions';

export const handler = routeGroup('runbooks', {
  'POST /v1/incidents/{incident_id}/runbooks': tenantRoute({
    body: startRunbookRequestSchema,
    handle: async ({ caller, body, pathParameter }) => {
      const execution = await startRunbookExecution(caller, pathParameter('incident_id'), body, new Date());
      return jsonResponse(202, { execution_id: execution.execution_id, status: execution.status });
    },
  }),

  'GET /v1/incidents/{incident_id}/runbooks/{execution_id}': tenantRoute({
    handle: async ({ caller, pathParameter }) => {
      const incidentId = pathParameter('incident_id');
      const executionId = pathParameter('execution_id');
      const incident = isUlid(incidentId) && isUlid(executionId) ? await getIncident(caller.tenantId, incidentId) : undefined;
      const execution = incident && findExecution(incident, executionId);
      if (!execution) throw new NotFoundError('runbook execution');
      return jsonResponse(200, execution);
    },
  }),
});
