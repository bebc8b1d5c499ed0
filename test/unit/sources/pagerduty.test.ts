import { pagerDutyAdapter } from '../../../lambdas/shared/domain/sources/pagerduty';
import { issuePaths, loadFixture, mapPayload } from './adapter-expectations';

type PagerDutyFixture = Record<string, unknown> & { payload: Record<string, unknown> };
const trigger = () => loadFixture<PagerDutyFixture>('pagerduty-trigger.json');
const ROUTING_KEY = 'R0UTINGKEYR0UTINGKEYR0UTINGKEY42';

describe('pagerduty adapter', () => {
  it('maps a trigger to a firing alert', () => {
    expect(mapPayload(pagerDutyAdapter, trigger())).toEqual([
      {
        asset_name: 'monitoringtool:cloudvendor:central-region-dc-01:852559987:cluster/api-stats-prod-003',
        signature: 'deploy',
        severity: 'high',
        message: 'Example alert on host1.example.com',
        status: 'firing',
        source: 'pagerduty',
        dedup_key: 'srv01/HTTP',
        occurred_at: '2015-07-17T08:42:58.315Z',
        labels: {
          pagerduty_action: 'trigger',
          group: 'prod-datapipe',
          class: 'deploy',
          component: 'postgres',
          'ping time': '1500ms',
          'load avg': '0.75',
          replicas: '{"healthy":2,"total":3}',
          paged: 'true',
        },
      },
    ]);
  });

  it('maps a resolve without payload to a resolved alert found by its dedup key', () => {
    expect(mapPayload(pagerDutyAdapter, { routing_key: ROUTING_KEY, dedup_key: 'srv01/HTTP', event_action: 'resolve' })).toEqual([
      {
        asset_name: 'unknown',
        signature: 'pagerduty_event',
        severity: 'info',
        message: '',
        status: 'resolved',
        source: 'pagerduty',
        dedup_key: 'srv01/HTTP',
        occurred_at: undefined,
        labels: { pagerduty_action: 'resolve' },
      },
    ]);
  });

  it('maps an acknowledge to a firing alert labelled pagerduty_action=acknowledge', () => {
    const [alert] = mapPayload(pagerDutyAdapter, { routing_key: ROUTING_KEY, dedup_key: 'srv01/HTTP', event_action: 'acknowledge' });
    expect(alert).toMatchObject({ status: 'firing', dedup_key: 'srv01/HTTP', labels: { pagerduty_action: 'acknowledge' } });
  });

  it.each([
    ['critical', 'critical'],
    ['error', 'high'],
    ['warning', 'medium'],
    ['info', 'info'],
  ])('maps payload.severity %p to %p', (pagerDutySeverity, severity) => {
    const body = trigger();
    body.payload.severity = pagerDutySeverity;
    expect(mapPayload(pagerDutyAdapter, body)[0]!.severity).toBe(severity);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['class', { class: 'cpu load', component: 'nginx' }, 'cpu load'],
    ['component without class', { class: undefined, component: 'nginx' }, 'nginx'],
    ['summary without class or component', { class: undefined, component: undefined, summary: `Disk full ${'x'.repeat(400)}` }, `Disk full ${'x'.repeat(246)}`],
  ])('takes the signature from %s', (_case, change, signature) => {
    const body = trigger();
    body.payload = { ...body.payload, ...change };
    expect(mapPayload(pagerDutyAdapter, body)[0]!.signature).toBe(signature);
  });

  it('never copies the routing key anywhere', () => {
    const alerts = mapPayload(pagerDutyAdapter, trigger());
    expect(JSON.stringify(alerts)).not.toContain(ROUTING_KEY);
    expect(JSON.stringify(alerts)).not.toContain('routing_key');
  });

  it('keeps a trigger without dedup_key (PagerDuty would make one up)', () => {
    const body = trigger();
    delete body.dedup_key;
    expect(mapPayload(pagerDutyAdapter, body)[0]!.dedup_key).toBeUndefined();
  });

  it('turns custom_details that are not an object into one label', () => {
    const body = trigger();
    body.payload.custom_details = 'free text from a legacy integration';
    expect(mapPayload(pagerDutyAdapter, body)[0]!.labels).toMatchObject({ custom_details: 'free text from a legacy integration' });
  });

  it.each<[string, (body: PagerDutyFixture) => unknown, string[]]>([
    ['a trigger without payload', (body) => delete (body as Partial<PagerDutyFixture>).payload, ['payload']],
    ['a trigger without payload.summary', (body) => delete body.payload.summary, ['payload.summary']],
    ['a trigger without payload.source', (body) => delete body.payload.source, ['payload.source']],
    ['an unknown payload.severity', (body) => (body.payload.severity = 'disaster'), ['payload.severity']],
    ['a payload.timestamp that is no date', (body) => (body.payload.timestamp = 'last tuesday'), ['payload.timestamp']],
    ['an unknown event_action', (body) => (body.event_action = 'escalate'), ['event_action']],
    ['a resolve without dedup_key', (body) => Object.assign(body, { event_action: 'resolve', dedup_key: undefined }), ['dedup_key']],
  ])('refuses %s with an issue naming the field', (_case, breakIt, paths) => {
    const body = trigger();
    breakIt(body);
    expect(issuePaths(pagerDutyAdapter, body)).toEqual(paths);
  });
});
