import { correlateAlert, crossTenantListed } from '../../../lambdas/shared/domain/correlation';
import { fingerprintOf } from '../../../lambdas/shared/domain/fingerprint';

const now = new Date('2024-01-15T12:00:00Z');
const settings = { timeWindowMinutes: 15, autoCorrelate: true };
const open = (lastSeen: string, status = 'new') => ({ id: 'INC1', status, lastSeen });

describe('correlateAlert', () => {
  it('opens an incident for a fingerprint never seen', () => {
    expect(correlateAlert({ status: 'firing' }, undefined, settings, now)).toEqual({ kind: 'open' });
  });

  it('joins an open incident seen within the window, whatever its working status', () => {
    for (const status of ['new', 'in_progress', 'escalated']) {
      expect(correlateAlert({ status: 'firing' }, open('2024-01-15T11:50:00Z', status), settings, now)).toEqual({ kind: 'join', incidentId: 'INC1' });
    }
  });

  it('opens a new incident once the window has passed', () => {
    expect(correlateAlert({ status: 'firing' }, open('2024-01-15T11:44:59Z'), settings, now)).toEqual({ kind: 'open' });
    expect(correlateAlert({ status: 'firing' }, open('2024-01-15T11:44:59Z'), { ...settings, timeWindowMinutes: 60 }, now)).toEqual({
      kind: 'join',
      incidentId: 'INC1',
    });
  });

  it('never lets a resolved incident absorb an alert', () => {
    expect(correlateAlert({ status: 'firing' }, open('2024-01-15T11:59:00Z', 'resolved'), settings, now)).toEqual({ kind: 'open' });
  });

  it('resolves the open incident on a resolved alert, and stores a resolve with nothing open alone', () => {
    expect(correlateAlert({ status: 'resolved' }, open('2024-01-15T10:00:00Z'), settings, now)).toEqual({ kind: 'resolve', incidentId: 'INC1' });
    expect(correlateAlert({ status: 'resolved' }, undefined, settings, now)).toEqual({ kind: 'unmatched-resolve' });
    expect(correlateAlert({ status: 'resolved' }, open('2024-01-15T11:59:00Z', 'resolved'), settings, now)).toEqual({ kind: 'unmatched-resolve' });
  });

  it('with auto-correlation off, gives every firing alert its own incident', () => {
    expect(correlateAlert({ status: 'firing' }, open('2024-01-15T11:59:00Z'), { ...settings, autoCorrelate: false }, now)).toEqual({ kind: 'open' });
  });
});

describe('fingerprintOf', () => {
  const alert = { asset_name: 'web-01', signature: 'cpu_high', source: 'generic' };

  it('is the same for the same asset and signature, different otherwise', () => {
    expect(fingerprintOf(alert)).toBe(fingerprintOf({ ...alert }));
    expect(fingerprintOf(alert)).not.toBe(fingerprintOf({ ...alert, signature: 'disk_full' }));
    expect(fingerprintOf(alert)).not.toBe(fingerprintOf({ ...alert, asset_name: 'web-02' }));
  });

  it("prefers the source's dedup key", () => {
    const keyed = { ...alert, dedup_key: 'abc' };
    expect(fingerprintOf(keyed)).toBe(fingerprintOf({ ...keyed, asset_name: 'elsewhere', signature: 'other' }));
    expect(fingerprintOf(keyed)).not.toBe(fingerprintOf(alert));
  });

  it('cannot be confused by separators inside the values', () => {
    expect(fingerprintOf({ ...alert, asset_name: 'a\u0000b', signature: 'c' })).not.toBe(fingerprintOf({ ...alert, asset_name: 'a', signature: 'b\u0000c' }));
  });

  it('is key-safe whatever the input', () => {
    expect(fingerprintOf({ ...alert, asset_name: 'TENANT#x*../é' })).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('crossTenantListed', () => {
  it('lists the alert that opens an incident and each later one that raises its severity', () => {
    expect(crossTenantListed('open', undefined, ['high', 'high', 'critical', 'high', 'critical'])).toEqual([true, false, true, false, false]);
  });

  it('lists a joining alert only if it is worse than the incident so far', () => {
    expect(crossTenantListed('join', 'high', ['medium', 'high', 'critical', 'critical'])).toEqual([false, false, true, false]);
  });

  it('lists every resolve, matched or alone', () => {
    expect(crossTenantListed('resolve', 'critical', ['info', 'critical'])).toEqual([true, true]);
    expect(crossTenantListed('unmatched-resolve', undefined, ['low'])).toEqual([true]);
  });
});
