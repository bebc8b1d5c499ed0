import { createSign, generateKeyPairSync } from 'node:crypto';
import { ALERT_SOURCES, type AlertSource } from '../../lib/api-routes';
import type { SnsEnvelope } from '../../lambdas/shared/domain/sources';
import { snsStringToSign } from '../../lambdas/shared/domain/sources/sns-message-signature';
import { useSnsTransport } from '../../lambdas/shared/ingest/sns-delivery';
import { ENV } from '../../lambdas/shared/runtime/environment';
import { loadFixture } from '../unit/sources/adapter-expectations';
import { capturedLogText, structuredLogLines } from '../support/capture-logs';
import { startLocalApi, type ApiAnswer, type LocalApi } from '../support/local-api';

/**
 * The webhook routes' other key carriers, through the HTTP layer as `npm start` serves it:
 * `Authorization: Bearer awapi_…` and, for senders that cannot set headers, `?api_key=`
 * (API.md: webhook routes only, redacted from every log line).
 */
let api: LocalApi;
let key: string;
let otherKey: string;

// Our own key pair stands in for SNS's signing certificate: SNS signatures are checked here, as in AWS.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-http.pem';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:alert-whisperer';
let snsMessages = 0;

function signedNotification(message: unknown): SnsEnvelope {
  snsMessages += 1;
  const unsigned: SnsEnvelope = {
    Type: 'Notification',
    MessageId: `http-${snsMessages}`,
    TopicArn: TOPIC,
    Message: JSON.stringify(message),
    Timestamp: '2024-01-15T10:00:00.456Z',
    SignatureVersion: '2',
    Signature: '',
    SigningCertURL: CERT_URL,
  };
  return { ...unsigned, Signature: createSign('RSA-SHA256').update(snsStringToSign(unsigned) ?? '', 'utf8').sign(privateKey, 'base64') };
}

/** Each tool's own webhook body, as the tool sends it (CloudWatch: an SNS notification, as text/plain). */
function delivery(source: AlertSource): { readonly rawBody: string; readonly contentType: string; readonly alerts: number } {
  switch (source) {
    case 'alertmanager': {
      const group = loadFixture<{ alerts: unknown[] }>('alertmanager-mixed-group.json');
      return { rawBody: JSON.stringify(group), contentType: 'application/json', alerts: group.alerts.length };
    }
    case 'cloudwatch':
      return { rawBody: JSON.stringify(signedNotification(loadFixture('cloudwatch-alarm.json'))), contentType: 'text/plain; charset=UTF-8', alerts: 1 };
    case 'grafana': {
      const group = loadFixture<{ alerts: unknown[] }>('grafana-group.json');
      return { rawBody: JSON.stringify(group), contentType: 'application/json', alerts: group.alerts.length };
    }
    case 'pagerduty':
      return { rawBody: JSON.stringify(loadFixture('pagerduty-trigger.json')), contentType: 'application/json', alerts: 1 };
    case 'datadog':
      return { rawBody: JSON.stringify(loadFixture('datadog-default.json')), contentType: 'application/json', alerts: 1 };
  }
}

type Carrier = 'bearer' | 'query';
function post(source: AlertSource, carrier: Carrier, presented = key, extraHeaders: Record<string, string> = {}): Promise<ApiAnswer> {
  const { rawBody, contentType } = delivery(source);
  const headers = { 'content-type': contentType, ...extraHeaders, ...(carrier === 'bearer' ? { authorization: `Bearer ${presented}` } : {}) };
  const query = carrier === 'query' ? `?api_key=${encodeURIComponent(presented)}` : '';
  return api.request('POST', `/v1/alerts/${source}${query}`, { headers, rawBody });
}

async function storedAlertCount(): Promise<number> {
  const listed = await api.request('GET', '/v1/alerts?limit=100', { key });
  expect(listed.status).toBe(200);
  expect(listed.body?.next_cursor).toBeNull();
  return listed.body?.items.length;
}

beforeAll(async () => {
  api = await startLocalApi();
  key = await api.createTenant('webhooks');
  otherKey = await api.createTenant('webhooks-other');
  // `npm start` has no route to SNS's certificates and turns verification off; here it is on, against our certificate.
  delete process.env[ENV.snsSignatureVerification];
  useSnsTransport({ fetchCertificate: async () => publicKey.export({ type: 'spki', format: 'pem' }).toString(), confirmSubscription: async () => undefined });
});
afterAll(() => api.stop());

describe('POST /v1/alerts/{source} with the key outside X-API-Key', () => {
  it('takes an Alertmanager group with Authorization: Bearer', async () => {
    const before = await storedAlertCount();
    const group = loadFixture<{ alerts: unknown[] }>('alertmanager-mixed-group.json');
    const answer = await post('alertmanager', 'bearer');
    expect(answer.status).toBe(202);
    expect(answer.body?.accepted).toBe(group.alerts.length);
    expect(await storedAlertCount()).toBe(before + group.alerts.length);
  });

  it('takes a signed SNS notification of a CloudWatch alarm, as text/plain, with ?api_key=', async () => {
    const before = await storedAlertCount();
    const answer = await post('cloudwatch', 'query');
    expect(answer.status).toBe(202);
    expect(answer.body?.accepted).toBe(1);
    expect(answer.body?.alerts[0].new_incident).toBe(true);
    const incident = await api.request('GET', `/v1/incidents/${answer.body?.alerts[0].incident_id}`, { key });
    expect(incident.body).toMatchObject({ status: 'new', asset_name: 'i-0abc123def4567890', severity: 'critical' });
    expect(await storedAlertCount()).toBe(before + 1);
  });

  it.each(ALERT_SOURCES.flatMap((source) => (['bearer', 'query'] as const).map((carrier) => [source, carrier] as const)))(
    'takes %s with the key as %s, into the key’s tenant',
    async (source, carrier) => {
      const before = await storedAlertCount();
      const answer = await post(source, carrier);
      expect(answer.status).toBe(202);
      expect(answer.body?.accepted).toBe(delivery(source).alerts);
      expect(await storedAlertCount()).toBe(before + delivery(source).alerts);
    },
  );

  it('refuses with 401, storing nothing, a wrong key in either place, two different keys at once, and an unsigned SNS message', async () => {
    const before = await storedAlertCount();
    const wrong = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    for (const [name, answer] of [
      ['wrong Bearer key', await post('alertmanager', 'bearer', wrong)],
      ['wrong ?api_key=', await post('cloudwatch', 'query', wrong)],
      ['Bearer and a different ?api_key=', await post('alertmanager', 'query', key, { authorization: `Bearer ${otherKey}` })],
      ['?api_key= and a different X-API-Key', await post('cloudwatch', 'query', key, { 'x-api-key': otherKey })],
      ['Bearer without the awapi_ key format', await post('pagerduty', 'bearer', 'not-a-key')],
      // The right key, a forged SNS message: the 202s above were signature-checked deliveries.
      ['?api_key= on an SNS message SNS did not sign', await api.request('POST', `/v1/alerts/cloudwatch?api_key=${encodeURIComponent(key)}`, {
        headers: { 'content-type': 'text/plain' },
        rawBody: JSON.stringify({ ...signedNotification(loadFixture('cloudwatch-alarm.json')), Message: '{"AlarmName":"forged","NewStateValue":"ALARM"}' }),
      })],
    ] as const) {
      expect([name, answer.status]).toEqual([name, 401]);
    }
    expect(await storedAlertCount()).toBe(before);
  });

  it('never writes the key into a log line, while it does log these requests', () => {
    const text = capturedLogText();
    const material = key.slice(key.indexOf('_', 'awapi_'.length) + 1);
    for (const secret of [key, encodeURIComponent(key), material, material.slice(16)]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/api_key=(?!\[redacted\])[^&"\s]/i);
    // Not vacuous: the handlers' lines for the source route were captured, with the key's tenant on them.
    const handled = structuredLogLines(text).filter((line) => line.message === 'request handled' && line.route === 'POST /v1/alerts/{source}' && line.status === 202);
    expect(handled.length).toBeGreaterThanOrEqual(2 + ALERT_SOURCES.length * 2);
    expect(handled.every((line) => line.tenant_id === 'webhooks')).toBe(true);
  });
});
