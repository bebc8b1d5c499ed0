import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createTable, startDynamoDbLocal, type DynamoDbLocal } from '../../bin/local/dynamodb-local';
import { localTableAccess } from '../../lambdas/shared/access/local-policy-enforcement';
import { scopedTableClient, useTableAccess } from '../../lambdas/shared/access/table-access';
import { handler as alerts } from '../../lambdas/alerts';
import { apiEvent, call, seedTenant } from '../support/api-events';
import { recordDecision } from '../support/policy-ledger';

/**
 * DynamoDB dies in the middle of an ingest storm: every request answers 202 or 503 with
 * Retry-After (never a 500). With X-Delivery-ID (one transaction per run) nothing is
 * half-written, and once DynamoDB is back the senders' retries converge to exact counts;
 * without it (plain writes) nothing accepted is lost, and a cut-off request leaves at most
 * one stray count or row.
 */
let dataDir: string;
let dynamoDb: DynamoDbLocal;
const tableName = 'aw-faults';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'aw-faults-'));
  dynamoDb = await startDynamoDbLocal({ dataDir });
  await createTable(dynamoDb.endpoint, tableName);
  useTableAccess(localTableAccess({ tableName, endpoint: dynamoDb.endpoint, onDecision: recordDecision }));
  await seedTenant('faults');
}, 60_000);

afterAll(async () => {
  await dynamoDb.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const body = { asset_name: 'db-01', signature: 'disk_full', severity: 'critical', message: 'Disk 99%' };
const send = (deliveryId: string) => call(alerts, apiEvent('POST', '/v1/alerts', { tenantId: 'faults', body, headers: { 'x-delivery-id': deliveryId } }));

async function tenantItems(prefix: string) {
  const { Items = [] } = await scopedTableClient('faults').send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': 'TENANT#faults', ':prefix': prefix },
      ConsistentRead: true,
    }),
  );
  return Items;
}

it('answers 503 with Retry-After while DynamoDB is down, and converges to exact counts after', async () => {
  const total = 30;
  const deliveries = Array.from({ length: total }, (_, index) => `storm-${index}`);

  // Some requests finish before the kill, some are cut off mid-way, the rest find DynamoDB gone.
  const inFlight = deliveries.map(async (id, index) => {
    await new Promise((resolve) => setTimeout(resolve, index * 15));
    return send(id);
  });
  await new Promise((resolve) => setTimeout(resolve, 150));
  dynamoDb.process.kill('SIGKILL');
  const firstAnswers = await Promise.all(inFlight);

  const statuses = firstAnswers.map((answer) => answer.status);
  expect(firstAnswers.filter((answer) => answer.status !== 202 && answer.status !== 503)).toEqual([]);
  expect(statuses).toContain(503);
  for (const answer of firstAnswers.filter((candidate) => candidate.status === 503)) {
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.body?.error.code).toBe('service_unavailable');
  }

  dynamoDb = await startDynamoDbLocal({ dataDir, port: dynamoDb.port });
  // Senders retry what failed, and (being senders) sometimes what succeeded too.
  const retries = await Promise.all(deliveries.map((id) => send(id)));
  expect(retries.map((answer) => answer.status)).toEqual(deliveries.map(() => 202));

  const incidentIds = new Set(retries.map((answer) => answer.body?.alerts[0].incident_id));
  expect(incidentIds.size).toBe(1);
  const [incident] = await tenantItems('INCIDENT#');
  expect(incident.alert_count).toBe(total);
  expect(await tenantItems('ALERT#')).toHaveLength(total);
  expect((await tenantItems('DELIVERY#')).every((delivery) => delivery.state === 'completed')).toBe(true);
}, 120_000);

it('without X-Delivery-ID: never a 500, every accepted alert stored and counted, and at most one row and one count per cut-off request', async () => {
  const plainBody = { asset_name: 'web-07', signature: 'cpu_high', severity: 'high', message: 'CPU 99%' };
  const sendPlain = () => call(alerts, apiEvent('POST', '/v1/alerts', { tenantId: 'faults', body: plainBody }));
  const total = 30;

  const inFlight = Array.from({ length: total }, async (_, index) => {
    await new Promise((resolve) => setTimeout(resolve, index * 15));
    return sendPlain();
  });
  await new Promise((resolve) => setTimeout(resolve, 150));
  dynamoDb.process.kill('SIGKILL');
  const answers = await Promise.all(inFlight);
  expect(answers.filter((answer) => answer.status !== 202 && answer.status !== 503)).toEqual([]);
  const accepted = answers.filter((answer) => answer.status === 202).map((answer) => answer.body?.alerts[0].id as string);
  const refused = answers.length - accepted.length;
  expect(refused).toBeGreaterThan(0);

  dynamoDb = await startDynamoDbLocal({ dataDir, port: dynamoDb.port });
  const rows = (await tenantItems('ALERT#')).filter((alert) => alert.signature === 'cpu_high').map((alert) => alert.id as string);
  const counted = (await tenantItems('INCIDENT#'))
    .filter((incident) => incident.signature === 'cpu_high')
    .reduce((sum, incident) => sum + Number(incident.alert_count), 0);
  // Nothing accepted is lost or uncounted.
  expect(rows).toEqual(expect.arrayContaining(accepted));
  expect(counted).toBeGreaterThanOrEqual(accepted.length);
  // A request cut off mid-way whose undo could not reach DynamoDB either may leave its count, or its row
  // (written, but the answer lost with the connection): at most one of each per refused request.
  expect(rows.length - accepted.length).toBeLessThanOrEqual(refused);
  expect(counted - accepted.length).toBeLessThanOrEqual(refused);
}, 120_000);
