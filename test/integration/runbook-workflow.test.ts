import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  InvocationDoesNotExist,
  SendCommandCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { localRunbookWorkflow } from '../../bin/local/local-runbook-workflow';
import type { TenantCaller } from '../../lambdas/shared/auth/caller';
import { RUNBOOK_LOG_GROUP_NAME } from '../../lambdas/shared/domain/runbook-catalog';
import { forgetClientSessions } from '../../lambdas/shared/runbooks/client-account';
import { writeAwsIntegration } from '../../lambdas/shared/runbooks/integration-config';
import { recordExecutionStart } from '../../lambdas/shared/table/runbook-executions';
import { startRunbookExecution, type StartRunbookRequest } from '../../lambdas/shared/runbooks/start-execution';
import { ASSUME_ROLE_DENIED_REASON } from '../../lambdas/shared/runbooks/task-errors';
import { useTaskClock } from '../../lambdas/shared/runbooks/task-handler';
import { useRunbookWorkflowStarter } from '../../lambdas/shared/runbooks/workflow-starter';
import { getIncident } from '../../lambdas/shared/table/incidents';
import type { RunbookExecution } from '../../lambdas/shared/table/items';
import { createTestTable, deniedDecisions, type TestTable } from '../support/test-table';
import { auditItems, CLIENT_ACCOUNT, createAwsIntegration, createIncident, enabledSettings, INSTANCE_ID } from '../support/runbooks/runbook-fixtures';

const sts = mockClient(STSClient);
const ssm = mockClient(SSMClient);
const workflow = localRunbookWorkflow({ waitMilliseconds: 0, retryMilliseconds: 0 });

const TENANT = 'wf-acme';
const caller: TenantCaller = { kind: 'tenant', tenantId: TENANT, keyId: '0123456789abcdef', scopes: ['runbooks:execute'] };
const CREDENTIALS = { AccessKeyId: 'ASIACLIENT', SecretAccessKey: 'client-secret', SessionToken: 'client-token', Expiration: new Date(Date.now() + 900_000) };

let table: TestTable;
let externalId: string;

beforeAll(async () => {
  table = await createTestTable();
  useRunbookWorkflowStarter(workflow);
  externalId = (await createAwsIntegration(TENANT, enabledSettings())).external_id;
});

beforeEach(() => {
  // Each test starts as a cold task function: no client session cached from the one before.
  forgetClientSessions();
  sts.reset();
  ssm.reset();
  sts.on(AssumeRoleCommand).resolves({ Credentials: CREDENTIALS });
  ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-0001' } });
  useTaskClock(() => new Date());
});

afterEach(() => {
  expect(deniedDecisions(table)).toEqual([]);
});

/** Starts a runbook through the same code as the route, and waits until the workflow has recorded its end. */
async function runToEnd(request: Partial<StartRunbookRequest> = {}): Promise<{ incidentId: string; execution: RunbookExecution }> {
  const incidentId = await createIncident(TENANT);
  const started = await startRunbookExecution(caller, incidentId, { runbook: 'AW-DiskCleanup', instance_id: INSTANCE_ID, ...request }, new Date());
  expect(started.status).toBe('running');
  const ended = await workflow.completion(started.execution_id);
  expect(ended).toMatchObject({ status: 'SUCCEEDED' });
  const incident = await getIncident(TENANT, incidentId);
  const execution = incident?.runbook_executions.find((candidate) => candidate.execution_id === started.execution_id);
  if (!execution) throw new Error('execution not on its incident');
  return { incidentId, execution };
}

function ssmError(name: string, message = name): SSMServiceException {
  return new SSMServiceException({ name, message, $fault: 'client', $metadata: {} });
}

describe('runbook workflow on aws-local-stepfunctions (STS and SSM mocked, DynamoDB Local)', () => {
  it('assumes the client role with the tenant External ID, sends the approved document, polls until Success and records it with an audit entry', async () => {
    ssm
      .on(GetCommandInvocationCommand)
      .rejectsOnce(new InvocationDoesNotExist({ message: 'not yet', $metadata: {} }))
      .resolvesOnce({ Status: 'InProgress' })
      .resolves({ Status: 'Success', ResponseCode: 0 });

    const { incidentId, execution } = await runToEnd({ parameters: { retentionDays: 3 } });

    expect(execution).toMatchObject({ status: 'success', command_id: 'cmd-0001', runbook: 'AW-DiskCleanup', instance_id: INSTANCE_ID, aws_account: CLIENT_ACCOUNT });
    expect(execution.ended_at).toEqual(expect.any(String));
    expect(execution.error).toBeUndefined();

    // SendCommand assumes the role itself; the three polls reuse that session (cached in the
    // task environment, never in the workflow state) instead of calling STS every 10 s.
    const assumeCalls = sts.commandCalls(AssumeRoleCommand);
    expect(assumeCalls).toHaveLength(1);
    for (const call of assumeCalls) {
      const input = call.args[0].input;
      expect(input).toEqual({
        RoleArn: `arn:aws:iam::${CLIENT_ACCOUNT}:role/AlertWhispererMSP`,
        ExternalId: externalId,
        RoleSessionName: expect.stringMatching(new RegExp(`^AlertWhisperer-${TENANT}-\\d{10}$`)),
        DurationSeconds: 900,
      });
      expect(input.RoleSessionName?.length).toBeLessThanOrEqual(64);
    }

    const sent = ssm.commandCalls(SendCommandCommand);
    expect(sent).toHaveLength(1);
    expect(sent[0].args[0].input).toEqual({
      DocumentName: 'AW-DiskCleanup',
      InstanceIds: [INSTANCE_ID],
      Parameters: { retentionDays: ['3'] },
      CloudWatchOutputConfig: { CloudWatchOutputEnabled: true, CloudWatchLogGroupName: RUNBOOK_LOG_GROUP_NAME },
      Comment: `Alert Whisperer incident ${incidentId} execution ${execution.execution_id}`,
      TimeoutSeconds: 300,
    });
    expect(sent[0].args[0].input.Comment?.length).toBeLessThanOrEqual(100);
    expect(ssm.commandCalls(GetCommandInvocationCommand).map((call) => call.args[0].input)).toEqual(
      Array(3).fill({ CommandId: 'cmd-0001', InstanceId: INSTANCE_ID }),
    );

    const audit = await auditItems(TENANT);
    const target = `incident/${incidentId}/runbooks/${execution.execution_id}`;
    expect(audit.filter((item) => item.target === target).map((item) => [item.action, item.actor, item.details?.status])).toEqual([
      ['runbook.started', 'key:0123456789abcdef', undefined],
      ['runbook.finished', 'system:runbook-workflow', 'success'],
    ]);
  });

  it('reuses a warm session across executions, and assumes afresh once the integration names another role', async () => {
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Success', ResponseCode: 0 });
    await runToEnd();
    await runToEnd();
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);

    const moved = `arn:aws:iam::${CLIENT_ACCOUNT}:role/client-ops/AlertWhispererMSP`;
    await writeAwsIntegration(TENANT, { ...enabledSettings(), role_arn: moved, external_id: externalId }, { actor: 'test', action: 'test.moved', target: 'config/aws-integration' });
    try {
      await runToEnd();
      expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleArn)).toEqual([`arn:aws:iam::${CLIENT_ACCOUNT}:role/AlertWhispererMSP`, moved]);
    } finally {
      await writeAwsIntegration(TENANT, { ...enabledSettings(), external_id: externalId }, { actor: 'test', action: 'test.restored', target: 'config/aws-integration' });
    }
  });

  it('records a failed command as failed, with its exit code and stderr', async () => {
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 2, StandardErrorContent: 'retentionDays must be a whole number of days\n' });

    const { execution } = await runToEnd();

    expect(execution).toMatchObject({ status: 'failed', command_id: 'cmd-0001', error: 'The command failed (exit code 2): Failed - retentionDays must be a whole number of days' });
  });

  it('cancels a command still running at its deadline and records timed_out', async () => {
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'InProgress' });
    ssm.on(CancelCommandCommand).resolves({});
    // Each task sees the clock 5 minutes later than the one before: the deadline (delivery + 900 s + grace) passes after a few polls.
    let now = Date.now();
    useTaskClock(() => new Date((now += 5 * 60_000)));

    const { execution } = await runToEnd();

    expect(execution).toMatchObject({ status: 'timed_out', command_id: 'cmd-0001', error: expect.stringMatching(/^No result by .+; it was cancelled\.$/) });
    expect(ssm.commandCalls(GetCommandInvocationCommand).length).toBeGreaterThanOrEqual(4);
    expect(ssm.commandCalls(CancelCommandCommand).map((call) => call.args[0].input)).toEqual([{ CommandId: 'cmd-0001', InstanceIds: [INSTANCE_ID] }]);
  });

  it('records a wrong External ID (STS AccessDenied) as failed with the exact reason, and sends nothing', async () => {
    sts.on(AssumeRoleCommand).rejects(
      new STSServiceException({ name: 'AccessDenied', message: 'User: arn:aws:sts::000000000000:assumed-role/x is not authorized to perform: sts:AssumeRole', $fault: 'client', $metadata: {} }),
    );

    const { execution } = await runToEnd();

    expect(execution).toMatchObject({ status: 'failed', error: ASSUME_ROLE_DENIED_REASON });
    expect(execution.command_id).toBeUndefined();
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
  });

  it('retries a throttled SendCommand with backoff and then succeeds', async () => {
    ssm.on(SendCommandCommand).rejectsOnce(ssmError('ThrottlingException', 'Rate exceeded')).resolves({ Command: { CommandId: 'cmd-0002' } });
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Success' });

    const { execution } = await runToEnd();

    expect(execution).toMatchObject({ status: 'success', command_id: 'cmd-0002' });
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(2);
  });

  it('records an SSM refusal (instance not tagged for the MSP) as failed with SSM’s reason', async () => {
    ssm.on(SendCommandCommand).rejects(ssmError('AccessDeniedException', 'not authorized to perform: ssm:SendCommand on resource: instance'));

    const { execution } = await runToEnd();

    expect(execution.status).toBe('failed');
    expect(execution.error).toMatch(/^SendCommand failed - AccessDeniedException: .*\(is the instance tagged ManagedBy=AlertWhisperer\?\)$/);
  });

  it('stops at LoadConfig when the tenant disabled the integration after the execution was recorded', async () => {
    const tenant = 'wf-turned-off';
    const config = await createAwsIntegration(tenant, enabledSettings());
    const incidentId = await createIncident(tenant);
    const execution: RunbookExecution = {
      execution_id: '01J00000000000000000000000',
      status: 'running',
      runbook: 'AW-DiskCleanup',
      instance_id: INSTANCE_ID,
      aws_account: CLIENT_ACCOUNT,
      started_at: new Date().toISOString(),
    };
    await recordExecutionStart(tenant, incidentId, execution, { actor: 'test', action: 'runbook.started', target: 'x' });
    await writeAwsIntegration(tenant, { ...config, enabled: false }, { actor: 'test', action: 'test.disabled', target: 'config/aws-integration' });

    await workflow.start({ tenant_id: tenant, incident_id: incidentId, execution_id: execution.execution_id, runbook: 'AW-DiskCleanup', instance_id: INSTANCE_ID, parameters: { retentionDays: 7 } });
    await workflow.completion(execution.execution_id);

    const recorded = (await getIncident(tenant, incidentId))?.runbook_executions[0];
    expect(recorded).toMatchObject({ status: 'failed', error: 'The AWS integration is not enabled (or not complete) for this tenant.' });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});
