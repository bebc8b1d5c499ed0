import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { scopedTableClient } from '../../lambdas/shared/access/table-access';
import { handler as alerts } from '../../lambdas/alerts';
import { handler as config } from '../../lambdas/config';
import { handler as incidents } from '../../lambdas/incidents';
import { forgetCachedConfig } from '../../lambdas/shared/table/tenant-config';
import { apiEvent, call, seedTenant } from '../support/api-events';
import { createTestTable, deniedDecisions, type TestTable } from '../support/test-table';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable();
  await seedTenant('corr');
  await seedTenant('other');
});
afterEach(() => expect(deniedDecisions(table)).toEqual([]));

const cpu = { asset_name: 'web-01', signature: 'cpu_high', severity: 'high', message: 'CPU 97%' };
const post = (body: unknown, tenantId = 'corr', headers: Record<string, string> = {}) =>
  call(alerts, apiEvent('POST', '/v1/alerts', { tenantId, body, headers }));
const getIncident = (id: string, tenantId = 'corr') =>
  call(incidents, apiEvent('GET', '/v1/incidents/{incident_id}', { tenantId, pathParameters: { incident_id: id } }));

async function countItems(tenantId: string, prefix: string): Promise<number> {
  const { Items = [] } = await scopedTableClient(tenantId).send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':prefix': prefix },
    }),
  );
  return Items.length;
}

describe('correlation on ingest', () => {
  it('folds three alerts of one fingerprint into one incident with count 3', async () => {
    const answers = [await post(cpu), await post(cpu), await post(cpu)];
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202]);
    const ids = new Set(answers.map((answer) => answer.body?.alerts[0].incident_id));
    expect(ids.size).toBe(1);
    expect(answers.map((answer) => answer.body?.alerts[0].new_incident)).toEqual([true, false, false]);
    const incident = await getIncident([...ids][0]);
    expect(incident.body).toMatchObject({ alert_count: 3, status: 'new', severity: 'high', asset_name: 'web-01', signature: 'cpu_high' });
    expect(incident.body?.alert_ids).toHaveLength(3);
    expect(incident.body?.priority_score).toBe(60 + 6);
  });

  it('ends 40 concurrent alerts of a new fingerprint in ONE incident with count exactly 40', async () => {
    const disk = { asset_name: 'db-01', signature: 'disk_full', severity: 'critical', message: 'Disk 99%' };
    const answers = await Promise.all(Array.from({ length: 40 }, () => post(disk)));
    expect(answers.every((answer) => answer.status === 202)).toBe(true);
    const ids = new Set(answers.map((answer) => answer.body?.alerts[0].incident_id));
    expect(ids.size).toBe(1);
    expect(answers.filter((answer) => answer.body?.alerts[0].new_incident)).toHaveLength(1);
    const incident = await getIncident([...ids][0]);
    expect(incident.body?.alert_count).toBe(40);
    expect(incident.body?.alert_ids).toHaveLength(10);
  });

  it('opens another incident for another signature', async () => {
    const first = await post({ ...cpu, asset_name: 'app-07' });
    const second = await post({ ...cpu, asset_name: 'app-07', signature: 'memory_high' });
    expect(second.body?.alerts[0].incident_id).not.toBe(first.body?.alerts[0].incident_id);
    expect(second.body?.alerts[0].new_incident).toBe(true);
  });

  it('resolves the incident on a resolved alert, and opens a new one on the next firing alert', async () => {
    const signal = { ...cpu, asset_name: 'cache-01' };
    const opened = await post(signal);
    const incidentId = opened.body?.alerts[0].incident_id;
    const resolved = await post({ ...signal, status: 'resolved' });
    expect(resolved.body?.alerts[0].incident_id).toBe(incidentId);
    expect((await getIncident(incidentId)).body).toMatchObject({ status: 'resolved', alert_count: 2 });
    const again = await post(signal);
    expect(again.body?.alerts[0]).toMatchObject({ new_incident: true });
    expect(again.body?.alerts[0].incident_id).not.toBe(incidentId);
  });

  it('never joins an incident a technician resolved meanwhile, even one this function remembers as open', async () => {
    const signal = { ...cpu, asset_name: 'patched-01' };
    const opened = await post(signal);
    const incidentId = opened.body?.alerts[0].incident_id;
    expect((await post(signal)).body?.alerts[0].incident_id).toBe(incidentId);
    const patched = await call(incidents, apiEvent('PATCH', '/v1/incidents/{incident_id}', { tenantId: 'corr', pathParameters: { incident_id: incidentId }, body: { status: 'resolved' } }));
    expect(patched.status).toBe(200);
    const next = await post(signal);
    expect(next.body?.alerts[0]).toMatchObject({ new_incident: true });
    expect(next.body?.alerts[0].incident_id).not.toBe(incidentId);
    expect((await getIncident(incidentId)).body).toMatchObject({ status: 'resolved', alert_count: 2 });
  });

  it('stores a resolved alert with no open incident with incident_id null', async () => {
    const answer = await post({ ...cpu, asset_name: 'never-fired', status: 'resolved' });
    expect(answer.body?.alerts[0]).toMatchObject({ incident_id: null, new_incident: false });
  });

  it('counts a retried delivery once and answers it with the first answer', async () => {
    const signal = { ...cpu, asset_name: 'retry-01' };
    const first = await post(signal, 'corr', { 'X-Delivery-ID': 'delivery-1' });
    const retry = await post(signal, 'corr', { 'x-delivery-id': 'delivery-1' });
    expect(retry).toEqual(first);
    const incident = await getIncident(first.body?.alerts[0].incident_id);
    expect(incident.body?.alert_count).toBe(1);
  });

  it('keeps delivery ids per tenant', async () => {
    const signal = { ...cpu, asset_name: 'retry-02' };
    const mine = await post(signal, 'corr', { 'x-delivery-id': 'shared-id' });
    const theirs = await post(signal, 'other', { 'x-delivery-id': 'shared-id' });
    expect(theirs.body?.alerts[0].id).not.toBe(mine.body?.alerts[0].id);
    expect(theirs.body?.alerts[0].new_incident).toBe(true);
  });

  it('refuses a whole batch with one bad alert, naming the field, and stores nothing', async () => {
    const before = await countItems('corr', 'ALERT#');
    const answer = await post({ alerts: [cpu, { ...cpu, severity: 'loud' }, cpu] });
    expect(answer.status).toBe(400);
    expect(answer.body?.error.details).toEqual([expect.objectContaining({ field: 'alerts[1].severity' })]);
    expect(await countItems('corr', 'ALERT#')).toBe(before);
  });

  it('takes a batch of 500 and refuses 501', async () => {
    const batch = Array.from({ length: 500 }, (_, index) => ({ ...cpu, asset_name: `batch-${index % 25}` }));
    const accepted = await post({ alerts: batch });
    expect(accepted.status).toBe(202);
    expect(accepted.body?.accepted).toBe(500);
    expect(new Set(accepted.body?.alerts.map((alert: { incident_id: string }) => alert.incident_id)).size).toBe(25);
    const refused = await post({ alerts: [...batch, cpu] });
    expect(refused.status).toBe(400);
    expect(refused.body?.error.details[0].field).toBe('alerts');
  }, 60_000);
});

describe('tenant correlation settings change the outcome', () => {
  afterEach(() => forgetCachedConfig());

  it('a one-minute window separates alerts two minutes apart; critical assets raise the priority', async () => {
    const put = await call(
      config,
      apiEvent('PUT', '/v1/config/correlation', { tenantId: 'other', body: { time_window_minutes: 1, critical_assets: ['crown-jewel'] } }),
    );
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ time_window_minutes: 1, auto_correlate: true, critical_assets: ['crown-jewel'] });

    const first = await post({ ...cpu, asset_name: 'crown-jewel' }, 'other');
    const incident = await getIncident(first.body?.alerts[0].incident_id, 'other');
    expect(incident.body?.priority_breakdown.critical_asset).toBe(20);

    jest.useFakeTimers({ now: Date.now() + 2 * 60_000, doNotFake: ['setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const later = await post({ ...cpu, asset_name: 'crown-jewel' }, 'other');
      expect(later.body?.alerts[0].new_incident).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a window of 0 or 1441 naming the field', async () => {
    for (const time_window_minutes of [0, 1441, 2.5]) {
      const answer = await call(config, apiEvent('PUT', '/v1/config/correlation', { tenantId: 'other', body: { time_window_minutes } }));
      expect(answer.status).toBe(400);
      expect(answer.body?.error.details[0].field).toBe('time_window_minutes');
    }
  });
});
