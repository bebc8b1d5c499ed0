import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { FinalizeHandlerArguments } from '@smithy/types';
import { adminIndexClient, scopedTableClient } from '../../lambdas/shared/access/table-access';
import { handler as alerts } from '../../lambdas/alerts';
import { POINTER_CLAIM_LEASE_MS } from '../../lambdas/shared/ingest/record-alerts';
import { fingerprintOf } from '../../lambdas/shared/domain/fingerprint';
import { alertInputSchema } from '../../lambdas/shared/domain/alert-input';
import { correlationKey, incidentKey } from '../../lambdas/shared/table/keys';
import { ADMIN_INDEX } from '../../lambdas/shared/table/table-schema';
import { apiEvent, call, seedTenant } from '../support/api-events';
import { createTestTable, deniedDecisions, type TestTable } from '../support/test-table';

/**
 * The write path of one ingest, seen from DynamoDB: which commands it sends, what a failure
 * half-way leaves behind, and which alerts reach the cross-tenant index.
 */
let table: TestTable;
const TENANT = 'paths';

/** Commands the tenant's client sent, and a switch that makes the next alert-row write fail as a DynamoDB outage would. */
const sent: Array<{ command: string; sortKey?: string }> = [];
let failNextAlertRow = false;

beforeAll(async () => {
  table = await createTestTable();
  await seedTenant(TENANT);
  scopedTableClient(TENANT).middlewareStack.add(
    (next, context) => async (args) => {
      // Ahead of marshalling, the document client's middleware sees plain items, named by the low-level command.
      const input = (args as FinalizeHandlerArguments<object>).input as { Item?: { SK?: string } };
      const sortKey = input.Item?.SK;
      sent.push({ command: String(context.commandName), sortKey });
      if (failNextAlertRow && context.commandName === 'PutItemCommand' && sortKey?.startsWith('ALERT#')) {
        failNextAlertRow = false;
        throw Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });
      }
      return next(args);
    },
    { step: 'initialize', name: 'writePathProbe', priority: 'high' },
  );
});
beforeEach(() => {
  sent.length = 0;
});
afterEach(() => expect(deniedDecisions(table)).toEqual([]));

const post = (body: unknown, headers: Record<string, string> = {}) => call(alerts, apiEvent('POST', '/v1/alerts', { tenantId: TENANT, body, headers }));
const alertOf = (signature: string, severity = 'high') => ({ asset_name: 'app-01', signature, severity, message: `${signature} on app-01` });

async function tenantItems(prefix: string) {
  const { Items = [] } = await scopedTableClient(TENANT).send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': `TENANT#${TENANT}`, ':prefix': prefix },
      ConsistentRead: true,
    }),
  );
  return Items;
}

const incident = async (id: string) =>
  (await scopedTableClient(TENANT).send(new GetCommand({ TableName: table.tableName, Key: incidentKey(TENANT, id), ConsistentRead: true }))).Item;

const writesSent = () => sent.filter(({ command }) => !['GetItemCommand', 'QueryCommand'].includes(command)).map(({ command }) => command);

describe('the write path of an ingest', () => {
  it('writes a correlated alert as two plain writes, the incident first, and a delivery as one transaction', async () => {
    await post(alertOf('plain'));
    sent.length = 0;
    expect((await post(alertOf('plain'))).status).toBe(202);
    expect(writesSent()).toEqual(['UpdateItemCommand', 'PutItemCommand']);

    sent.length = 0;
    expect((await post(alertOf('plain'), { 'x-delivery-id': 'retry-safe-1' })).status).toBe(202);
    expect(writesSent()).toEqual(['PutItemCommand', 'TransactWriteItemsCommand', 'UpdateItemCommand']); // claim, the run, completion
  });

  it('opens an incident by claiming the pointer first, then the incident, then the alert row', async () => {
    expect((await post(alertOf('opening'))).body?.alerts[0].new_incident).toBe(true);
    expect(sent.filter(({ command }) => command === 'PutItemCommand').map(({ sortKey }) => sortKey?.split('#')[0])).toEqual(['CORR', 'INCIDENT', 'ALERT']);
  });

  it('takes the incident change back when the alert row cannot be written: the count stays exact', async () => {
    const first = await post(alertOf('flaky'));
    const incidentId = first.body?.alerts[0].incident_id as string;
    const alertsBefore = (await tenantItems('ALERT#')).length;

    failNextAlertRow = true;
    const failed = await post(alertOf('flaky'));
    expect(failed).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    expect((await incident(incidentId))?.alert_count).toBe(1);
    expect(await tenantItems('ALERT#')).toHaveLength(alertsBefore);

    const retried = await post(alertOf('flaky'));
    expect(retried.body?.alerts[0].incident_id).toBe(incidentId);
    expect((await incident(incidentId))?.alert_count).toBe(2);
  });

  it('takes an opened incident and its pointer back when its first alert cannot be written', async () => {
    const incidentsBefore = (await tenantItems('INCIDENT#')).length;
    failNextAlertRow = true;
    expect((await post(alertOf('never-opened'))).status).toBe(503);
    expect(await tenantItems('INCIDENT#')).toHaveLength(incidentsBefore);
    const fingerprint = fingerprintOf(alertInputSchema.parse(alertOf('never-opened')));
    expect((await scopedTableClient(TENANT).send(new GetCommand({ TableName: table.tableName, Key: correlationKey(TENANT, fingerprint), ConsistentRead: true }))).Item).toBeUndefined();

    const retried = await post(alertOf('never-opened'));
    expect(retried.body?.alerts[0]).toMatchObject({ new_incident: true });
    expect((await incident(retried.body?.alerts[0].incident_id))?.alert_count).toBe(1);
  });

  it('takes over a pointer whose opener died before writing the incident, and waits on one still at work', async () => {
    const claim = async (signature: string, claimedAt: Date) => {
      const fingerprint = fingerprintOf(alertInputSchema.parse(alertOf(signature)));
      await scopedTableClient(TENANT).send(
        new PutCommand({
          TableName: table.tableName,
          Item: { ...correlationKey(TENANT, fingerprint), fingerprint, incident_id: '01JAAAAAAAAAAAAAAAAAAAAAAA', claimed_at: claimedAt.toISOString() },
        }),
      );
    };
    await claim('orphaned', new Date(Date.now() - POINTER_CLAIM_LEASE_MS - 1_000));
    const takenOver = await post(alertOf('orphaned'));
    expect(takenOver.status).toBe(202);
    expect(takenOver.body?.alerts[0]).toMatchObject({ new_incident: true });
    expect(takenOver.body?.alerts[0].incident_id).not.toBe('01JAAAAAAAAAAAAAAAAAAAAAAA');

    await claim('being-opened', new Date());
    const waited = await post(alertOf('being-opened'));
    expect(waited).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    expect(await tenantItems('INCIDENT#')).not.toContainEqual(expect.objectContaining({ signature: 'being-opened' }));
  });
});

describe('the cross-tenant admin index', () => {
  const listedIds = async () => {
    const partition = async (severity: string) =>
      (
        await adminIndexClient().send(
          new QueryCommand({
            TableName: table.tableName,
            IndexName: ADMIN_INDEX.name,
            KeyConditionExpression: 'GSI1PK = :pk',
            ExpressionAttributeValues: { ':pk': `SEVERITY#${severity}` },
          }),
        )
      ).Items ?? [];
    return new Set([...(await partition('high')), ...(await partition('critical'))].map((item) => item.id as string));
  };

  it('lists the alerts that open, raise or resolve an incident, not the repeats folded into it', async () => {
    const ids = [];
    for (const body of [
      alertOf('noisy'),
      alertOf('noisy'),
      alertOf('noisy'),
      alertOf('noisy', 'critical'),
      alertOf('noisy', 'critical'),
      { ...alertOf('noisy', 'critical'), status: 'resolved' },
    ]) {
      ids.push((await post(body)).body?.alerts[0].id as string);
    }
    const listed = await listedIds();
    expect(ids.map((id) => listed.has(id))).toEqual([true, false, false, true, false, true]);
    expect(await tenantItems('ALERT#')).toEqual(expect.arrayContaining(ids.map((id) => expect.objectContaining({ id }))));
  });
});
