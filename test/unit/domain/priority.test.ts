import { priorityOf, worseSeverity } from '../../../lambdas/shared/domain/priority';

const now = new Date('2024-01-15T12:00:00Z');
const base = { severity: 'medium' as const, criticalAsset: false, alertCount: 1, sourceCount: 1, firstSeen: now.toISOString() };

describe('priority score', () => {
  it.each([
    ['info', 2],
    ['low', 12],
    ['medium', 32],
    ['high', 62],
    ['critical', 92],
  ] as const)('gives %s its severity points plus the volume of one alert', (severity, score) => {
    expect(priorityOf({ ...base, severity }, now).score).toBe(score);
  });

  it('adds 20 for a critical asset, caps volume at 20, adds 10 for two sources', () => {
    const priority = priorityOf({ ...base, criticalAsset: true, alertCount: 50, sourceCount: 2 }, now);
    expect(priority.breakdown).toEqual({ severity: 30, critical_asset: 20, volume: 20, multi_source: 10, age_penalty: 0 });
    expect(priority.score).toBe(80);
  });

  it('takes off one point per whole hour of age, at most 10', () => {
    const firstSeen = '2024-01-15T08:30:00Z';
    expect(priorityOf({ ...base, firstSeen }, now).breakdown.age_penalty).toBe(3);
    expect(priorityOf({ ...base, firstSeen: '2024-01-01T00:00:00Z' }, now).breakdown.age_penalty).toBe(10);
  });

  it('clamps to 0–100', () => {
    expect(priorityOf({ severity: 'critical', criticalAsset: true, alertCount: 99, sourceCount: 3, firstSeen: now.toISOString() }, now).score).toBe(100);
    expect(priorityOf({ ...base, severity: 'info', alertCount: 0, firstSeen: '2020-01-01T00:00:00Z' }, now).score).toBe(0);
  });

  it('keeps the worse severity', () => {
    expect(worseSeverity('low', 'critical')).toBe('critical');
    expect(worseSeverity('high', 'medium')).toBe('high');
  });
});
