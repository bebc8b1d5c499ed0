import { SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { localRunbookWorkflow } from '../../bin/local/local-runbook-workflow';
import { handler as configHandler } from '../../lambdas/config';
import { handler as runbooksHandler } from '../../lambdas/runbooks';
import { useRunbookWorkflowStarter } from '../../lambdas/shared/runbooks/workflow-starter';
import { getIncident } from '../../lambdas/shared/table/incidents';
import { MAX_RUNBOOK_EXECUTIONS } from '../../lambdas/shared/table/runbook-executions';
import { createTestTable, deniedDecisions, type TestTable } from '../support/test-table';
import type { ApiKeyScope } from '../../lambdas/shared/auth/scopes';
import { apiEvent, call } from '../support/api-events';
import { auditItems, badFields, CLIENT_ACCOUNT, createAwsIntegration, createIncident, enabledSettings, INSTANCE_ID } from '../support/runbooks/runbook-fixtures';

const sts = mockClient(STSClient);
const ssm = mockClient(SSMClient);
const workflow = localRunbookWorkflow({ waitMilliseconds: 0, retryMilliseconds: 0 });

const A = 'rr-alpha';
const B = 'rr-beta';
const CONFIG_PATH = '/v1/config/aws-integration';
const START_PATH = '/v1/incidents/{incident_id}/runbooks';
const EXECUTION_PATH = '/v1/incidents/{incident_id}/runbooks/{execution_id}';

let table: TestTable;
let incidentA: string;

const putConfig = (tenantId: string, body: unknown) => call(configHandler, apiEvent('PUT', CONFIG_PATH, { tenantId, body }));
const getConfig = (tenantId: string) => call(configHandler, apiEvent('GET', CONFIG_PATH, { tenantId }));
const startRunbook = (tenantId: string, incidentId: string, body: unknown, scopes?: readonly ApiKeyScope[]) =>
  call(runbooksHandler, apiEvent('POST', START_PATH, { tenantId, pathParameters: { incident_id: incidentId }, body, scopes }));
const getExecution = (tenantId: string, incidentId: string, executionId: string) =>
  call(runbooksHandler, apiEvent('GET', EXECUTION_PATH, { tenantId, pathParameters: { incident_id: incidentId, execution_id: executionId } }));
const errorCode = (answer: { body?: Record<string, unknown> }) => (answer.body?.error as { code?: string } | undefined)?.code;

const DISK_CLEANUP = { runbook: 'AW-DiskCleanup', instance_id: INSTANCE_ID };

beforeAll(async () => {
  table = await createTestTable();
  useRunbookWorkflowStarter(workflow);
  // As tenant creation leaves them: integration off, each with its own reserved External ID.
  await createAwsIntegration(A);
  await createAwsIntegration(B);
  incidentA = await createIncident(A);
});

beforeEach(() => {
  sts.reset();
  ssm.reset();
  // What the SDK throws on a machine with no AWS credentials (npm start without a profile).
  const noCredentials = new Error('Could not load credentials from any providers');
  noCredentials.name = 'CredentialsProviderError';
  sts.on(AssumeRoleCommand).rejects(noCredentials);
});

afterEach(async () => {
  await workflow.idle();
  expect(deniedDecisions(table)).toEqual([]);
});

describe('GET/PUT /v1/config/aws-integration', () => {
  it('answers the server-made External ID before any PUT, with the integration off', async () => {
    const answer = await getConfig(A);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ enabled: false, allowed_runbooks: [], external_id: expect.stringMatching(/^[\w-]{43}$/) });
  });

  it.each([
    ['an account id that is not 12 digits', { ...enabledSettings(), account_id: '12' }, ['account_id']],
    ['a role ARN naming another account', { ...enabledSettings(), role_arn: 'arn:aws:iam::333333333333:role/AlertWhispererMSP' }, ['role_arn']],
    ['something that is no role ARN', { ...enabledSettings(), role_arn: 'arn:aws:iam::222222222222:user/bob' }, ['role_arn']],
    ['a role other than the client template\'s', { ...enabledSettings(), role_arn: 'arn:aws:iam::222222222222:role/Admin' }, ['role_arn']],
    ['region mars-1', { ...enabledSettings(), region: 'mars-1' }, ['region']],
    ['a runbook outside the catalog', { ...enabledSettings(), allowed_runbooks: ['AWS-RunShellScript'] }, ['allowed_runbooks[0]']],
    ['enabled without account, role and region', { enabled: true }, ['account_id', 'role_arn', 'region']],
  ])('refuses %s with a 400 naming the field', async (_case, body, fields) => {
    const answer = await putConfig(A, body);
    expect(answer.status).toBe(400);
    expect(badFields(answer).sort()).toEqual([...fields].sort());
  });

  it('ignores an external_id in the request, keeps the stored one across PUTs, and never shares it between tenants', async () => {
    const before = (await getConfig(A)).body?.external_id;
    const put = await putConfig(A, { ...enabledSettings(), external_id: 'chosen-by-client-0000000000000000000000' });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ ...enabledSettings(), external_id: before });

    const again = await putConfig(A, { ...enabledSettings(['AW-CollectDiagnostics']), external_id: 'another-choice' });
    expect(again.body?.external_id).toBe(before);
    expect((await getConfig(A)).body).toEqual({ ...enabledSettings(['AW-CollectDiagnostics']), external_id: before });

    const other = await putConfig(B, enabledSettings());
    expect(other.status).toBe(200);
    expect(other.body?.external_id).toEqual(expect.any(String));
    expect(other.body?.external_id).not.toBe(before);

    const changes = (await auditItems(A)).filter((item) => item.action === 'config.aws_integration_changed');
    expect(changes.length).toBeGreaterThanOrEqual(2);
    for (const change of changes) expect(change.details).not.toHaveProperty('external_id');
  });

  it('answers the defaults for what a PUT leaves out (PUT replaces)', async () => {
    const answer = await putConfig(B, {});
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ enabled: false, allowed_runbooks: [], external_id: expect.any(String) });
  });
});

describe('POST /v1/incidents/{incident_id}/runbooks and GET …/{execution_id}', () => {
  it('is 409 integration_disabled while the integration is off, and for a tenant that has none', async () => {
    await putConfig(A, { ...enabledSettings(), enabled: false });
    const off = await startRunbook(A, incidentA, DISK_CLEANUP);
    expect([off.status, errorCode(off)]).toEqual([409, 'integration_disabled']);

    const none = 'rr-no-integration';
    const incident = await createIncident(none);
    const missing = await startRunbook(none, incident, DISK_CLEANUP);
    expect([missing.status, errorCode(missing)]).toEqual([409, 'integration_disabled']);
  });

  describe('with the integration on (AW-DiskCleanup and AW-CollectDiagnostics allowed)', () => {
    beforeAll(async () => {
      expect((await putConfig(A, enabledSettings())).status).toBe(200);
    });

    it('refuses a bad instance id with 400 before looking the incident up', async () => {
      const answer = await startRunbook(A, '01J00000000000000000000000', { runbook: 'AW-DiskCleanup', instance_id: 'i-12; rm -rf /' });
      expect(answer.status).toBe(400);
      expect(badFields(answer)).toEqual(['instance_id']);
    });

    it('refuses an empty runbook name with 400', async () => {
      const answer = await startRunbook(A, incidentA, { runbook: '', instance_id: INSTANCE_ID });
      expect(badFields(answer)).toEqual(['runbook']);
    });

    it.each([['AW-RestartService (approved, not on this tenant’s list)'], ['AWS-RunShellScript (not in the catalog)']])(
      'refuses %s with 400 runbook_not_allowed',
      async (label) => {
        const answer = await startRunbook(A, incidentA, { runbook: label.split(' ')[0], instance_id: INSTANCE_ID });
        expect([answer.status, errorCode(answer)]).toEqual([400, 'runbook_not_allowed']);
      },
    );

    it('validates parameters by the runbook’s catalog schema, naming parameters.<field>', async () => {
      const answer = await startRunbook(A, incidentA, { ...DISK_CLEANUP, parameters: { retentionDays: 400 } });
      expect(answer.status).toBe(400);
      expect(badFields(answer)).toEqual(['parameters.retentionDays']);
    });

    it('answers 404 for an incident id that is no ULID or no incident of the caller', async () => {
      expect((await startRunbook(A, 'not-an-id', DISK_CLEANUP)).status).toBe(404);
      expect((await startRunbook(A, '01J00000000000000000000000', DISK_CLEANUP)).status).toBe(404);
    });

    it('needs the runbooks:execute scope', async () => {
      const answer = await startRunbook(A, incidentA, DISK_CLEANUP, ['incidents:read']);
      expect(answer.status).toBe(403);
    });

    it('records a running execution (202), then ends it failed with the reason when no AWS credentials exist; another tenant can neither start nor read it', async () => {
      await putConfig(B, enabledSettings());
      const executionsBefore = (await getIncident(A, incidentA))?.runbook_executions.length ?? 0;

      const answer = await startRunbook(A, incidentA, { ...DISK_CLEANUP, parameters: { retentionDays: 5 } });
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual({ execution_id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/), status: 'running' });
      const executionId = String(answer.body?.execution_id);

      // Tenant B, with its own integration on, is told the incident does not exist; nothing is written to it.
      expect((await startRunbook(B, incidentA, DISK_CLEANUP)).status).toBe(404);
      expect((await getExecution(B, incidentA, executionId)).status).toBe(404);
      expect((await getIncident(A, incidentA))?.runbook_executions).toHaveLength(executionsBefore + 1);

      await workflow.completion(executionId);
      const read = await getExecution(A, incidentA, executionId);
      expect(read.status).toBe(200);
      expect(read.body).toEqual({
        execution_id: executionId,
        status: 'failed',
        runbook: 'AW-DiskCleanup',
        instance_id: INSTANCE_ID,
        aws_account: CLIENT_ACCOUNT,
        error: 'AssumeRole failed - the MSP has no AWS credentials to call STS with',
        started_at: expect.any(String),
        ended_at: expect.any(String),
      });
      expect(ssm.calls()).toHaveLength(0);
      expect(sts.commandCalls(AssumeRoleCommand)[0].args[0].input).toMatchObject({ ExternalId: (await getConfig(A)).body?.external_id });

      const audit = (await auditItems(A)).filter((item) => item.target === `incident/${incidentA}/runbooks/${executionId}`);
      expect(audit.map((item) => item.action)).toEqual(['runbook.started', 'runbook.finished']);
      expect(audit[0].details).toMatchObject({ runbook: 'AW-DiskCleanup', parameters: { retentionDays: 5 }, aws_account: CLIENT_ACCOUNT });
    });

    it('answers 404 for an execution id that is not on the incident', async () => {
      expect((await getExecution(A, incidentA, '01J00000000000000000000000')).status).toBe(404);
      expect((await getExecution(A, incidentA, 'nope')).status).toBe(404);
    });

    it('marks the execution failed, not running, when the workflow cannot be started', async () => {
      const incident = await createIncident(A);
      useRunbookWorkflowStarter({ start: () => Promise.reject(Object.assign(new Error('unavailable'), { name: 'ServiceUnavailable' })) });
      try {
        const answer = await startRunbook(A, incident, DISK_CLEANUP);
        expect(answer.status).toBe(503);
      } finally {
        useRunbookWorkflowStarter(workflow);
      }
      const [execution] = (await getIncident(A, incident))?.runbook_executions ?? [];
      expect(execution).toMatchObject({ status: 'failed', error: 'The runbook workflow could not be started.' });
    });

    it(`keeps an incident's execution list bounded: 409 after ${MAX_RUNBOOK_EXECUTIONS}`, async () => {
      const incident = await createIncident(A);
      // One after another, while the earlier executions' workflows record their ends on the same item.
      const statuses: number[] = [];
      for (let run = 0; run < MAX_RUNBOOK_EXECUTIONS; run += 1) statuses.push((await startRunbook(A, incident, DISK_CLEANUP)).status);
      expect(statuses).toEqual(Array(MAX_RUNBOOK_EXECUTIONS).fill(202));
      const full = await startRunbook(A, incident, DISK_CLEANUP);
      expect([full.status, errorCode(full)]).toEqual([409, 'runbook_limit_reached']);
      expect((await getIncident(A, incident))?.runbook_executions).toHaveLength(MAX_RUNBOOK_EXECUTIONS);
    });
  });
});
