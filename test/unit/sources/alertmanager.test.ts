import fc from 'fast-check';
import { alertInputSchema } from '../../../lambdas/shared/domain/alert-input';
import { alertmanagerAdapter } from '../../../lambdas/shared/domain/sources/alertmanager';
import { issuePaths, loadFixture, mapPayload } from './adapter-expectations';

interface AlertmanagerFixture {
  alerts: Array<{ status: string; labels: Record<string, string>; annotations?: Record<string, string>; startsAt: string; endsAt?: string; fingerprint?: string }>;
  [field: string]: unknown;
}
const group = () => loadFixture<AlertmanagerFixture>('alertmanager-mixed-group.json');

/** A one-alert group built from the fixture's first alert, with some fields replaced. */
function groupWith(alert: Partial<AlertmanagerFixture['alerts'][number]>): AlertmanagerFixture {
  const body = group();
  body.alerts = [{ ...body.alerts[0]!, ...alert }];
  return body;
}

describe('alertmanager adapter', () => {
  it('maps a firing group with a resolved alert in it alert by alert', () => {
    const alerts = mapPayload(alertmanagerAdapter, group());
    expect(alerts).toEqual([
      {
        asset_name: '10.0.1.12:9100',
        signature: 'NodeFilesystemAlmostOutOfSpace',
        severity: 'critical',
        message:
          'Filesystem has less than 3% space left.\nFilesystem on /dev/nvme0n1p1, mounted on /, at 10.0.1.12:9100 has only 2.41% available space left.',
        status: 'firing',
        source: 'alertmanager',
        dedup_key: 'd7a9c1e4f3b2a1c0',
        occurred_at: '2024-01-15T10:00:00.123Z',
        labels: {
          alertname: 'NodeFilesystemAlmostOutOfSpace',
          container: 'node-exporter',
          device: '/dev/nvme0n1p1',
          fstype: 'ext4',
          instance: '10.0.1.12:9100',
          job: 'node-exporter',
          mountpoint: '/',
          namespace: 'monitoring',
          severity: 'critical',
        },
      },
      expect.objectContaining({
        asset_name: '10.0.1.13:9100',
        severity: 'medium',
        status: 'resolved',
        dedup_key: '0b6f3f1e2c4d5a69',
        // A resolved alert happened when it ended.
        occurred_at: '2024-01-15T10:05:30.250Z',
      }),
      expect.objectContaining({
        asset_name: 'api-7d9f8b6c5-xk2lp',
        signature: 'KubePodCrashLooping',
        severity: 'medium',
        status: 'firing',
        message: 'Pod shop/api-7d9f8b6c5-xk2lp (api) is in waiting state (reason: "CrashLoopBackOff").',
        // A firing alert's endsAt is Alertmanager's guess at expiry, not an event.
        occurred_at: '2024-01-15T10:01:00.000Z',
      }),
    ]);
  });

  it('maps a resolved group', () => {
    const body = group();
    body.status = 'resolved';
    body.alerts = body.alerts.map((alert) => ({ ...alert, status: 'resolved', endsAt: '2024-01-15T11:00:00Z' }));
    const alerts = mapPayload(alertmanagerAdapter, body);
    expect(alerts.map((alert) => [alert.status, alert.occurred_at])).toEqual([
      ['resolved', '2024-01-15T11:00:00.000Z'],
      ['resolved', '2024-01-15T11:00:00.000Z'],
      ['resolved', '2024-01-15T11:00:00.000Z'],
    ]);
  });

  it('uses startsAt for a resolved alert whose endsAt is the zero time', () => {
    const [alert] = mapPayload(alertmanagerAdapter, groupWith({ status: 'resolved', endsAt: '0001-01-01T00:00:00Z' }));
    expect(alert).toMatchObject({ status: 'resolved', occurred_at: '2024-01-15T10:00:00.123Z' });
  });

  it.each([
    ['critical', 'critical'],
    ['CRIT', 'critical'],
    ['fatal', 'critical'],
    ['page', 'critical'],
    ['error', 'high'],
    ['High', 'high'],
    ['major', 'high'],
    ['warning', 'medium'],
    ['warn', 'medium'],
    ['medium', 'medium'],
    ['low', 'low'],
    ['minor', 'low'],
    ['info', 'info'],
    ['informational', 'info'],
    ['none', 'info'],
    [' Warning ', 'medium'],
    ['sev-unknown', 'medium'],
    [undefined, 'medium'],
  ])('maps labels.severity %p to %p', (word, severity) => {
    const labels: Record<string, string> = { alertname: 'Probe' };
    if (word !== undefined) labels.severity = word;
    expect(mapPayload(alertmanagerAdapter, groupWith({ labels }))[0]!.severity).toBe(severity);
  });

  it.each([
    [{ alertname: 'A', instance: 'i', host: 'h', pod: 'p', job: 'j', service: 's' }, 'i'],
    [{ alertname: 'A', host: 'h', pod: 'p', job: 'j', service: 's' }, 'h'],
    [{ alertname: 'A', pod: 'p', job: 'j', service: 's' }, 'p'],
    [{ alertname: 'A', job: 'j', service: 's' }, 'j'],
    [{ alertname: 'A', service: 's' }, 's'],
    [{ alertname: 'A', instance: '   ', service: 's' }, 's'],
    [{ alertname: 'Watchdog' }, 'Watchdog'],
    [{}, 'alertmanager_alert'],
  ])('takes the asset from %p', (labels, asset) => {
    expect(mapPayload(alertmanagerAdapter, groupWith({ labels }))[0]!.asset_name).toBe(asset);
  });

  it('names an alert without alertname alertmanager_alert', () => {
    expect(mapPayload(alertmanagerAdapter, groupWith({ labels: { instance: 'db-1' } }))[0]).toMatchObject({
      asset_name: 'db-1',
      signature: 'alertmanager_alert',
    });
  });

  it('leaves dedup_key unset without a fingerprint, so the fingerprint is the hash of asset and signature', () => {
    const [alert] = mapPayload(alertmanagerAdapter, groupWith({ fingerprint: undefined }));
    expect(alert!.dedup_key).toBeUndefined();
  });

  it('cuts labels and message to the generic limits', () => {
    const labels: Record<string, string> = { alertname: 'Noisy' };
    for (let i = 0; i < 60; i += 1) labels[`label_${String(i).padStart(2, '0')}`] = 'v'.repeat(300);
    const [alert] = mapPayload(alertmanagerAdapter, groupWith({ labels, annotations: { summary: 'x'.repeat(5000) } }));
    expect(Object.keys(alert!.labels!)).toHaveLength(50);
    expect(alert!.labels!.label_00).toHaveLength(256);
    expect(alert!.message).toHaveLength(4096);
  });

  it('refuses more than 500 alerts in one group, on the alerts array', () => {
    const body = group();
    body.alerts = Array.from({ length: 501 }, () => body.alerts[0]!);
    expect(issuePaths(alertmanagerAdapter, body)).toEqual(['alerts']);
  });

  it('accepts exactly 500 alerts', () => {
    const body = group();
    body.alerts = Array.from({ length: 500 }, () => body.alerts[0]!);
    expect(mapPayload(alertmanagerAdapter, body)).toHaveLength(500);
  });

  it.each([
    ['no alerts array', (body: AlertmanagerFixture) => delete (body as Partial<AlertmanagerFixture>).alerts, ['alerts']],
    ['no webhook version', (body: AlertmanagerFixture) => delete body.version, ['version']],
    ["Grafana's webhook (version 1)", (body: AlertmanagerFixture) => (body.version = '1'), ['version']],
    ['an empty alerts array', (body: AlertmanagerFixture) => (body.alerts = []), ['alerts']],
    ['an alert without labels', (body: AlertmanagerFixture) => delete (body.alerts[1] as Partial<AlertmanagerFixture['alerts'][number]>).labels, ['alerts.1.labels']],
    ['an alert without startsAt', (body: AlertmanagerFixture) => delete (body.alerts[0] as Partial<AlertmanagerFixture['alerts'][number]>).startsAt, ['alerts.0.startsAt']],
    ['an unknown status', (body: AlertmanagerFixture) => (body.alerts[2]!.status = 'pending'), ['alerts.2.status']],
    ['a startsAt that is no date', (body: AlertmanagerFixture) => (body.alerts[0]!.startsAt = 'yesterday'), ['alerts.0.startsAt']],
    ['a number as label value', (body: AlertmanagerFixture) => ((body.alerts[0]!.labels as Record<string, unknown>).code = 500), ['alerts.0.labels.code']],
  ])('refuses %s with an issue naming the field', (_case, breakIt, paths) => {
    const body = group();
    breakIt(body);
    expect(issuePaths(alertmanagerAdapter, body)).toEqual(paths);
  });

  it('turns any labels and annotations into alerts that pass alertInputSchema', () => {
    const text = fc.string({ unit: 'binary', maxLength: 300 });
    fc.assert(
      fc.property(fc.dictionary(text, text, { maxKeys: 70 }), fc.dictionary(text, text, { maxKeys: 5 }), (labels, annotations) => {
        const body = groupWith({ labels, annotations });
        const alerts = alertmanagerAdapter.payloadSchema.parse(body);
        return alerts.every((alert) => alertInputSchema.safeParse(alert).success);
      }),
      { numRuns: 200 },
    );
  });
});
