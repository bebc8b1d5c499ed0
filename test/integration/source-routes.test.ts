import { createSign, generateKeyPairSync } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { scopedTableClient } from '../../lambdas/shared/access/table-access';
import { handler as alerts } from '../../lambdas/alerts';
import { handler as incidents } from '../../lambdas/incidents';
import type { SnsEnvelope } from '../../lambdas/shared/domain/sources';
import { snsStringToSign } from '../../lambdas/shared/domain/sources/sns-message-signature';
import { useSnsTransport } from '../../lambdas/shared/ingest/sns-delivery';
import { loadFixture } from '../unit/sources/adapter-expectations';
import { apiEvent, call, seedTenant } from '../support/api-events';
import { createTestTable, deniedDecisions, type TestTable } from '../support/test-table';

/** Each tool's own webhook body through the real route, into the same correlation as POST /v1/alerts. */
let table: TestTable;
const fetchCertificate = jest.fn<Promise<string>, [string]>();
const confirmSubscription = jest.fn<Promise<void>, [string]>();

// Our own key pair stands in for SNS's signing certificate.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:alert-whisperer';

beforeAll(async () => {
  table = await createTestTable();
  await seedTenant('sources');
  useSnsTransport({ fetchCertificate, confirmSubscription });
});
beforeEach(() => {
  fetchCertificate.mockReset().mockResolvedValue(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  confirmSubscription.mockReset().mockResolvedValue();
});
afterEach(() => expect(deniedDecisions(table)).toEqual([]));

const postSource = (source: string, body: unknown, contentType = 'application/json') =>
  call(alerts, apiEvent('POST', '/v1/alerts/{source}', { tenantId: 'sources', pathParameters: { source }, rawBody: JSON.stringify(body), headers: { 'content-type': contentType } }));

function sns(type: SnsEnvelope['Type'], message: string, extra: Partial<SnsEnvelope> = {}): SnsEnvelope {
  const unsigned: SnsEnvelope = {
    Type: type,
    MessageId: `m-${Math.random()}`,
    TopicArn: TOPIC,
    Message: message,
    Timestamp: '2024-01-15T10:00:00.456Z',
    SignatureVersion: '2',
    Signature: '',
    SigningCertURL: CERT_URL,
    ...(type === 'Notification' ? {} : { Token: 'token', SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=token` }),
    ...extra,
  };
  return { ...unsigned, Signature: createSign('RSA-SHA256').update(snsStringToSign(unsigned) ?? '', 'utf8').sign(privateKey, 'base64') };
}

async function storedAlertCount(): Promise<number> {
  const { Items = [] } = await scopedTableClient('sources').send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': 'TENANT#sources', ':prefix': 'ALERT#' },
      ConsistentRead: true,
    }),
  );
  return Items.length;
}

describe('native alert sources', () => {
  it('maps an Alertmanager group with mixed statuses alert by alert', async () => {
    const group = loadFixture<{ alerts: Array<{ status: string }> }>('alertmanager-mixed-group.json');
    const answer = await postSource('alertmanager', group);
    expect(answer.status).toBe(202);
    expect(answer.body?.accepted).toBe(group.alerts.length);
    const resolvedPositions = group.alerts.flatMap((alert, index) => (alert.status === 'resolved' ? [index] : []));
    expect(resolvedPositions.length).toBeGreaterThan(0);
    for (const index of resolvedPositions) expect(answer.body?.alerts[index].new_incident).toBe(false);
  });

  it('opens an incident on a CloudWatch ALARM and resolves the same incident on OK, both signed by SNS', async () => {
    const alarm = loadFixture<Record<string, unknown>>('cloudwatch-alarm.json');
    const firing = await postSource('cloudwatch', sns('Notification', JSON.stringify(alarm)), 'text/plain; charset=UTF-8');
    expect(firing.status).toBe(202);
    expect(firing.body?.alerts[0].new_incident).toBe(true);
    expect(fetchCertificate).toHaveBeenCalledWith(CERT_URL);

    const ok = { ...alarm, NewStateValue: 'OK', OldStateValue: 'ALARM', StateChangeTime: '2024-01-15T10:20:00.000+0000' };
    const resolved = await postSource('cloudwatch', sns('Notification', JSON.stringify(ok)), 'text/plain; charset=UTF-8');
    expect(resolved.status).toBe(202);
    const incidentId = firing.body?.alerts[0].incident_id;
    expect(resolved.body?.alerts[0].incident_id).toBe(incidentId);
    const incident = await call(incidents, apiEvent('GET', '/v1/incidents/{incident_id}', { tenantId: 'sources', pathParameters: { incident_id: incidentId } }));
    expect(incident.body).toMatchObject({ status: 'resolved', alert_count: 2, asset_name: 'i-0abc123def4567890', severity: 'critical' });
  });

  it('refuses an SNS message it cannot verify and stores nothing', async () => {
    const before = await storedAlertCount();
    const forged = { ...sns('Notification', JSON.stringify(loadFixture('cloudwatch-alarm.json'))), Message: '{"AlarmName":"forged","NewStateValue":"ALARM"}' };
    expect((await postSource('cloudwatch', forged)).status).toBe(401);
    const elsewhere = sns('Notification', '{}', { SigningCertURL: 'https://attacker.example/cert.pem' });
    expect((await postSource('cloudwatch', elsewhere)).status).toBe(401);
    expect(fetchCertificate).not.toHaveBeenCalledWith('https://attacker.example/cert.pem');
    expect(await storedAlertCount()).toBe(before);
  });

  it('confirms an SNS subscription on SNS’s own host only', async () => {
    const confirmation = sns('SubscriptionConfirmation', 'You have chosen to subscribe…');
    const answer = await postSource('cloudwatch', confirmation, 'text/plain');
    expect(answer).toMatchObject({ status: 200, body: { subscription: 'confirmed' } });
    expect(confirmSubscription).toHaveBeenCalledWith(confirmation.SubscribeURL);

    const hostile = sns('SubscriptionConfirmation', 'x', { SubscribeURL: 'https://sns.us-east-1.amazonaws.com.attacker.example/?Action=ConfirmSubscription' });
    expect((await postSource('cloudwatch', hostile)).status).toBe(401);
    expect(confirmSubscription).toHaveBeenCalledTimes(1);
  });

  it('answers 503 when SNS’s certificate cannot be fetched, so SNS retries', async () => {
    fetchCertificate.mockRejectedValue(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
    const answer = await postSource('cloudwatch', sns('Notification', JSON.stringify(loadFixture('cloudwatch-alarm.json'))));
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBeDefined();
  });

  it.each([
    ['pagerduty', 'payload.summary', { event_action: 'trigger', payload: { source: 'db-07' } }],
    ['alertmanager', 'alerts', { version: '4', status: 'firing' }],
    ['datadog', 'body', 'not an object'],
  ])('refuses a %s body that is not its format with 400 naming %s, storing nothing', async (source, field, body) => {
    const before = await storedAlertCount();
    const answer = await postSource(source, body);
    expect(answer.status).toBe(400);
    expect(answer.body?.error.details.map((detail: { field: string }) => detail.field)).toContain(field);
    expect(await storedAlertCount()).toBe(before);
  });

  it.each(['nope', '__proto__', 'constructor', 'ALERTMANAGER'])('answers 404 for the unknown source %j', async (source) => {
    expect((await postSource(source, { any: 'json' })).status).toBe(404);
  });

  it('answers a PagerDuty Events v2 trigger with 202', async () => {
    const answer = await postSource('pagerduty', loadFixture('pagerduty-trigger.json'));
    expect(answer.status).toBe(202);
    expect(JSON.stringify(answer.body)).not.toContain('routing_key');
  });
});
