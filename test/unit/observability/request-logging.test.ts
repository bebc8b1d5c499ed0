import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import { apiEvent, testContext } from '../../support/api-events';
import { requestLogging } from '../../../lambdas/shared/observability/logger';
import { REDACTED, redactedEvent } from '../../../lambdas/shared/observability/redacted-event';

const KEY = 'awapi_acme_0123456789abcdefSECRETSECRETSECRETSECRETSECRET';
const SIGNATURE = 'sha256=3f1c0ffee3f1c0ffee3f1c0ffee3f1c0ffee3f1c0ffee3f1c0ffee3f1c0ff';

function eventCarryingSecrets() {
  const event = apiEvent('POST', '/v1/alerts/{source}', {
    tenantId: 'acme',
    pathParameters: { source: 'alertmanager' },
    query: { api_key: KEY, verbose: '1' },
    headers: { 'X-Api-Key': KEY, Authorization: `Bearer ${KEY}`, 'X-Signature': SIGNATURE, 'X-Delivery-ID': 'd-1' },
    body: { routing_key: 'pd-secret-routing-key', alerts: [] },
  });
  return {
    ...event,
    path: `/v1/alerts/alertmanager?api_key=${KEY}`,
    multiValueHeaders: { 'x-api-key': [KEY] },
    multiValueQueryStringParameters: { API_KEY: [KEY] },
  };
}

describe('redactedEvent', () => {
  it('keeps no credential, signature or body, and keeps what a debugger needs', () => {
    const text = JSON.stringify(redactedEvent(eventCarryingSecrets()));
    for (const secret of [KEY, SIGNATURE, 'SECRETSECRET', 'pd-secret-routing-key']) expect(text).not.toContain(secret);
    const redacted = redactedEvent(eventCarryingSecrets()) as ReturnType<typeof eventCarryingSecrets>;
    expect(redacted).toMatchObject({
      resource: '/v1/alerts/{source}',
      path: `/v1/alerts/alertmanager?api_key=${REDACTED}`,
      headers: { 'X-Api-Key': REDACTED, Authorization: REDACTED, 'X-Signature': REDACTED, 'X-Delivery-ID': 'd-1' },
      queryStringParameters: { api_key: REDACTED, verbose: '1' },
      multiValueQueryStringParameters: { API_KEY: REDACTED },
      pathParameters: { source: 'alertmanager' },
    });
    expect(redacted.body).toMatch(/^\[\d+ bytes\]$/);
  });
});

describe('requestLogging', () => {
  const previous = process.env.POWERTOOLS_LOGGER_LOG_EVENT;
  afterEach(() => {
    if (previous === undefined) delete process.env.POWERTOOLS_LOGGER_LOG_EVENT;
    else process.env.POWERTOOLS_LOGGER_LOG_EVENT = previous;
    jest.restoreAllMocks();
  });

  it('logs the event redacted, never verbatim, when event logging is switched on', async () => {
    process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
    const written: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const target = new Logger({ serviceName: 'request-logging-test', logLevel: 'INFO' });
    const handler = middy(async () => ({ statusCode: 204, body: '' })).use(requestLogging(target));
    await handler(eventCarryingSecrets(), testContext);

    const lines = written.join('');
    expect(lines).toContain('Lambda invocation event');
    expect(lines).toContain(REDACTED);
    expect(lines).not.toContain(KEY);
    expect(lines).not.toContain(SIGNATURE);
  });
});
