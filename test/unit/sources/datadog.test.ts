import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATADOG_RECOMMENDED_TEMPLATE, datadogAdapter } from '../../../lambdas/shared/domain/sources/datadog';
import { issuePaths, loadFixture, mapPayload } from './adapter-expectations';

/** The values Datadog substitutes for a multi-alert monitor's notification on one host. */
const TRIGGERED: Record<string, string> = {
  ID: '7482913374829133748',
  EVENT_TITLE: '[P1] [Triggered on {host:web-01,env:prod}] CPU load is high',
  EVENT_MSG: '%%%\nCPU load on web-01 is above 4 for the last 5 minutes.\n"quoted" text survives.\n%%%',
  EVENT_TYPE: 'query_alert_monitor',
  DATE: '1705312800000',
  LAST_UPDATED: '1705312800000',
  ORG_ID: '123456',
  ORG_NAME: 'Acme Corp',
  ALERT_ID: '98765432',
  ALERT_TITLE: '[Triggered on {host:web-01,env:prod}] CPU load is high',
  ALERT_TRANSITION: 'Triggered',
  ALERT_TYPE: 'error',
  ALERT_METRIC: 'system.load.1',
  ALERT_SCOPE: 'host:web-01,env:prod',
  ALERT_STATUS: 'system.load.1 over host:web-01,env:prod was > 4.0 on average during the last 5m.',
  AGGREG_KEY: '9bd4ac313a4d1e8fae2482df7b77628',
  HOSTNAME: 'web-01',
  ALERT_PRIORITY: 'P1',
  TAGS: 'env:prod, host:web-01, monitor, service:checkout, team:payments',
  LINK: 'https://app.datadoghq.com/event/event?id=7482913374829133748',
};

/** Fills the recommended template the way Datadog does: each `$VARIABLE` becomes its value, JSON-escaped. */
function fillTemplate(values: Record<string, string>): unknown {
  const filled = DATADOG_RECOMMENDED_TEMPLATE.replace(/\$([A-Z_]+)/g, (_whole, name: string) => JSON.stringify(values[name] ?? '').slice(1, -1));
  return JSON.parse(filled);
}

describe('datadog adapter', () => {
  it('ships a template that is JSON once Datadog fills it in', () => {
    expect(() => JSON.parse(DATADOG_RECOMMENDED_TEMPLATE)).not.toThrow();
    expect(fillTemplate(TRIGGERED)).toMatchObject({ alert_id: '98765432', tags: TRIGGERED.TAGS, org: { name: 'Acme Corp' } });
  });

  it('maps a Triggered notification of the recommended template to a firing alert', () => {
    expect(mapPayload(datadogAdapter, fillTemplate(TRIGGERED))).toEqual([
      {
        asset_name: 'web-01',
        signature: 'CPU load is high',
        severity: 'critical',
        message: 'CPU load on web-01 is above 4 for the last 5 minutes.\n"quoted" text survives.',
        status: 'firing',
        source: 'datadog',
        dedup_key: '98765432:host:web-01,env:prod',
        occurred_at: '2024-01-15T10:00:00.000Z',
        labels: {
          datadog_event_id: '7482913374829133748',
          datadog_alert_id: '98765432',
          datadog_transition: 'Triggered',
          datadog_priority: 'P1',
          datadog_event_type: 'query_alert_monitor',
          datadog_metric: 'system.load.1',
          datadog_scope: 'host:web-01,env:prod',
          datadog_org: 'Acme Corp',
          datadog_link: TRIGGERED.LINK,
          env: 'prod',
          host: 'web-01',
          monitor: '',
          service: 'checkout',
          team: 'payments',
        },
      },
    ]);
  });

  it('maps the Recovered notification to a resolved alert with the same dedup key and signature', () => {
    const recovered = {
      ...TRIGGERED,
      ID: '7482913374829139999',
      EVENT_TITLE: '[P1] [Recovered on {host:web-01,env:prod}] CPU load is high',
      ALERT_TITLE: '[Recovered on {host:web-01,env:prod}] CPU load is high',
      ALERT_TRANSITION: 'Recovered',
      ALERT_TYPE: 'success',
      DATE: '1705313700000',
    };
    const [firing] = mapPayload(datadogAdapter, fillTemplate(TRIGGERED));
    const [resolved] = mapPayload(datadogAdapter, fillTemplate(recovered));
    expect(resolved).toMatchObject({ status: 'resolved', severity: 'critical', occurred_at: '2024-01-15T10:15:00.000Z' });
    expect([resolved!.dedup_key, resolved!.signature]).toEqual([firing!.dedup_key, firing!.signature]);
  });

  it('maps the default payload, reading status, priority and host from the title', () => {
    expect(mapPayload(datadogAdapter, loadFixture('datadog-default.json'))).toEqual([
      {
        asset_name: 'web-01',
        signature: 'CPU load is high',
        severity: 'high',
        message: 'CPU load on web-01 is above 4 for the last 5 minutes.\n\n@webhook-alert-whisperer',
        status: 'firing',
        source: 'datadog',
        // The default payload has no monitor id: the fingerprint falls back to asset and signature, which a recovery repeats.
        dedup_key: undefined,
        occurred_at: '2024-01-15T10:00:00.000Z',
        labels: {
          datadog_event_id: '7482913374829133748',
          datadog_transition: 'Triggered',
          datadog_priority: 'P2',
          datadog_event_type: 'query_alert_monitor',
          datadog_scope: 'host:web-01,env:prod',
          datadog_org: 'Acme Corp',
        },
      },
    ]);
  });

  it('maps a Recovered default payload to resolved', () => {
    const body = loadFixture('datadog-default.json');
    body.title = '[P2] [Recovered on {host:web-01,env:prod}] CPU load is high';
    expect(mapPayload(datadogAdapter, body)[0]).toMatchObject({ status: 'resolved', asset_name: 'web-01', signature: 'CPU load is high' });
  });

  it('strips the brackets of the default "[Triggered] [Monitor name]" title', () => {
    const [alert] = mapPayload(datadogAdapter, { title: '[Triggered] [Memory Alert]', body: 'Memory above 90%', id: 42 });
    expect(alert).toMatchObject({ signature: 'Memory Alert', asset_name: 'Memory Alert', severity: 'high' });
  });

  it.each<[Record<string, string>, string]>([
    [{ priority: 'P1' }, 'critical'],
    [{ priority: 'P2' }, 'high'],
    [{ priority: 'p3' }, 'medium'],
    [{ priority: 'P4' }, 'low'],
    [{ priority: 'P5' }, 'info'],
    [{ priority: 'normal', alert_type: 'warning' }, 'medium'],
    [{ alert_type: 'error' }, 'high'],
    [{ alert_type: 'warning' }, 'medium'],
    [{ alert_type: 'info' }, 'info'],
    [{ alert_transition: 'Warn' }, 'medium'],
    [{ alert_transition: 'Re-Triggered' }, 'high'],
    [{ alert_transition: 'No Data' }, 'info'],
    [{}, 'medium'],
  ])('maps %p to severity %p', (fields, severity) => {
    expect(mapPayload(datadogAdapter, { title: 'Disk usage', ...fields })[0]!.severity).toBe(severity);
  });

  it.each<[Record<string, unknown>, string | undefined]>([
    [{ alert_id: '1234', alert_scope: 'host:db-1' }, '1234:host:db-1'],
    [{ alert_id: 1234 }, '1234'],
    [{ alert_id: '', aggreg_key: '9bd4ac313a4d1e8fae2482df7b77628' }, '9bd4ac313a4d1e8fae2482df7b77628'],
    [{ id: '55555' }, undefined],
  ])('takes the dedup key of %p as %p', (fields, dedupKey) => {
    expect(mapPayload(datadogAdapter, { title: 'Disk usage', ...fields })[0]!.dedup_key).toBe(dedupKey);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ hostname: 'web-02', tags: 'host:web-03' }, 'web-02'],
    [{ hostname: '', tags: 'env:prod,host:web-03' }, 'web-03'],
    [{ tags: ['env:prod', 'host:web-04'] }, 'web-04'],
    [{ alert_scope: 'host:web-05,env:prod' }, 'web-05'],
    [{}, 'Disk usage'],
  ])('takes the asset of %p as %p', (fields, asset) => {
    expect(mapPayload(datadogAdapter, { title: 'Disk usage', ...fields })[0]!.asset_name).toBe(asset);
  });

  it.each<[string | number, string | undefined]>([
    ['1705312800000', '2024-01-15T10:00:00.000Z'],
    [1705312800000, '2024-01-15T10:00:00.000Z'],
    ['1705312800', '2024-01-15T10:00:00.000Z'],
    [1705312800, '2024-01-15T10:00:00.000Z'],
    ['2024-01-15T10:00:00+00:00', '2024-01-15T10:00:00.000Z'],
    ['', undefined],
  ])('reads date %p as %p', (date, occurredAt) => {
    expect(mapPayload(datadogAdapter, { title: 'Disk usage', date })[0]!.occurred_at).toBe(occurredAt);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['a body without title', { body: 'text', date: '1705312800000' }, ['title']],
    ['a blank title', { title: '  ' }, ['title']],
    ['a date that is no time', { title: 'Disk usage', date: 'yesterday' }, ['date']],
    ['an org that is no object', { title: 'Disk usage', org: 'Acme' }, ['org']],
    ['tags that are no text', { title: 'Disk usage', tags: 7 }, ['tags']],
  ])('refuses %s with an issue naming the field', (_case, body, paths) => {
    expect(issuePaths(datadogAdapter, body)).toEqual(paths);
  });
});

describe('the recommended Datadog payload', () => {
  it('is the one the README tells Datadog users to paste', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const block = /```json\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('**Datadog**')))?.[1];
    expect(block).toBeDefined();
    expect(JSON.parse(block ?? '')).toEqual(JSON.parse(DATADOG_RECOMMENDED_TEMPLATE));
  });
});
