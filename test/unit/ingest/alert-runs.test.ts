import type { AlertInput } from '../../../lambdas/shared/domain/alert-input';
import { alertRuns } from '../../../lambdas/shared/ingest/ingest-alerts';

const receivedAt = new Date('2024-01-15T12:00:00Z');
const alert = (id: string, asset: string, status: AlertInput['status'] = 'firing') => ({
  id,
  receivedAt,
  input: { asset_name: asset, signature: 's', severity: 'high', message: '', status, source: 'generic', labels: {} } as AlertInput,
});

describe('alertRuns', () => {
  it('groups firing alerts of one fingerprint into one run, keeping order', () => {
    const fingerprints = alertRuns([alert('1', 'a'), alert('2', 'b'), alert('3', 'a')]);
    expect(fingerprints.map((runs) => runs.map((run) => run.alerts.map((entry) => entry.id)))).toEqual([[['1', '3']], [['2']]]);
  });

  it('cuts a run at every resolve, so a resolve lands between the alerts around it', () => {
    const [runs] = alertRuns([alert('1', 'a'), alert('2', 'a'), alert('3', 'a', 'resolved'), alert('4', 'a')]);
    expect(runs.map((run) => [run.status, run.alerts.map((entry) => entry.id)])).toEqual([
      ['firing', ['1', '2']],
      ['resolved', ['3']],
      ['firing', ['4']],
    ]);
  });

  it('never puts more alerts in a run than one transaction takes', () => {
    const [runs] = alertRuns(Array.from({ length: 200 }, (_, index) => alert(String(index), 'a')));
    expect(runs.map((run) => run.alerts.length)).toEqual([97, 97, 6]);
  });
});
