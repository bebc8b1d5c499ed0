import { grafanaAdapter } from '../../../lambdas/shared/domain/sources/grafana';
import { issuePaths, loadFixture, mapPayload } from './adapter-expectations';

interface GrafanaFixture {
  alerts: Array<Record<string, unknown>>;
  [field: string]: unknown;
}
const group = () => loadFixture<GrafanaFixture>('grafana-group.json');

describe('grafana adapter', () => {
  it('maps a firing alert like Alertmanager, with source grafana', () => {
    const [firing] = mapPayload(grafanaAdapter, group());
    expect(firing).toEqual({
      asset_name: 'web-01.prod.example.com',
      signature: 'High memory usage',
      severity: 'high',
      message: 'This alert was triggered for zone us-1\nThe system has high memory usage',
      status: 'firing',
      source: 'grafana',
      dedup_key: 'c6eadffa33fcdf37',
      occurred_at: '2021-10-12T07:51:03.157Z',
      labels: {
        alertname: 'High memory usage',
        grafana_folder: 'Infrastructure',
        instance: 'web-01.prod.example.com',
        severity: 'high',
        team: 'blue',
        zone: 'us-1',
        grafana_org_id: '1',
        grafana_value_B: '44.23943737541908',
        grafana_value_C: '1',
      },
    });
  });

  it('maps a resolved alert, with valueString as the message when annotations say nothing', () => {
    const [, resolved] = mapPayload(grafanaAdapter, group());
    expect(resolved).toEqual({
      asset_name: 'High CPU usage',
      signature: 'High CPU usage',
      severity: 'medium',
      message: "[ var='B' labels={} value=12.5 ], [ var='C' labels={} value=0 ]",
      status: 'resolved',
      source: 'grafana',
      dedup_key: 'bc97ff14869b13e3',
      occurred_at: '2021-10-12T08:11:03.157Z',
      labels: {
        alertname: 'High CPU usage',
        grafana_folder: 'Infrastructure',
        team: 'blue',
        zone: 'eu-1',
        grafana_org_id: '1',
        grafana_value_B: '12.5',
        grafana_value_C: '0',
      },
    });
  });

  it("falls back to the notification's title when neither annotations nor valueString say anything, and keeps the alert's own labels on a clash", () => {
    const body = group();
    body.alerts = [{ ...body.alerts[1], valueString: undefined, values: { B: null, A: 3 }, labels: { alertname: 'Disk', grafana_org_id: 'from-the-rule' } }];
    const [alert] = mapPayload(grafanaAdapter, body);
    expect(alert.message).toBe('[FIRING:1, RESOLVED:1]  (Infrastructure blue)');
    expect(alert.labels).toEqual({ alertname: 'Disk', grafana_org_id: 'from-the-rule', grafana_value_A: '3' });
  });

  it('names an alert without alertname grafana_alert', () => {
    const body = group();
    body.alerts = [{ ...body.alerts[0], labels: { team: 'blue' } }];
    expect(mapPayload(grafanaAdapter, body)[0]).toMatchObject({ signature: 'grafana_alert', asset_name: 'grafana_alert' });
  });

  it.each([
    ['an alert without status', (body: GrafanaFixture) => delete body.alerts[0]!.status, ['alerts.0.status']],
    ["Alertmanager's webhook (version 4)", (body: GrafanaFixture) => (body.version = '4'), ['version']],
    ['a valueString that is not text', (body: GrafanaFixture) => (body.alerts[1]!.valueString = 12.5), ['alerts.1.valueString']],
    ['a query value that is no number', (body: GrafanaFixture) => (body.alerts[0]!.values = { B: 'high' }), ['alerts.0.values.B']],
    ['an orgId that is no number', (body: GrafanaFixture) => (body.orgId = 'main'), ['orgId']],
    ['the legacy (pre-unified) alert body', (body: GrafanaFixture) => delete (body as Partial<GrafanaFixture>).alerts, ['alerts']],
  ])('refuses %s with an issue naming the field', (_case, breakIt, paths) => {
    const body = group();
    breakIt(body);
    expect(issuePaths(grafanaAdapter, body)).toEqual(paths);
  });
});
