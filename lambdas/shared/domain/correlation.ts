import type { AlertStatus, Severity } from './alert-input';
import { worseSeverity } from './priority';

/**
 * Correlation, decided without I/O: given one alert and the incident its fingerprint
 * currently points at, join it, open a new incident, resolve, or store it alone.
 */
export interface CorrelationSettings {
  readonly timeWindowMinutes: number;
  /** Off: every firing alert opens its own incident (resolves still close theirs). */
  readonly autoCorrelate: boolean;
}

export interface OpenIncidentState {
  readonly id: string;
  readonly status: string;
  /** ISO time the incident last received an alert. */
  readonly lastSeen: string;
}

export type CorrelationDecision =
  | { readonly kind: 'join'; readonly incidentId: string }
  | { readonly kind: 'open' }
  | { readonly kind: 'resolve'; readonly incidentId: string }
  | { readonly kind: 'unmatched-resolve' };

export function correlateAlert(
  alert: { readonly status: AlertStatus },
  current: OpenIncidentState | undefined,
  settings: CorrelationSettings,
  now: Date,
): CorrelationDecision {
  const open = current && current.status !== 'resolved' ? current : undefined;
  if (alert.status === 'resolved') return open ? { kind: 'resolve', incidentId: open.id } : { kind: 'unmatched-resolve' };
  if (!open || !settings.autoCorrelate) return { kind: 'open' };
  return Date.parse(open.lastSeen) >= windowStart(settings, now).getTime() ? { kind: 'join', incidentId: open.id } : { kind: 'open' };
}

/** Alerts last seen before this instant no longer pull new alerts into their incident. */
export function windowStart(settings: CorrelationSettings, now: Date): Date {
  return new Date(now.getTime() - settings.timeWindowMinutes * 60_000);
}

/**
 * Which alerts of a run the cross-tenant admin index lists: the ones that say something new.
 * That is the alert that opens an incident, one that raises its severity, a resolve, and an
 * alert that stands alone. A firing repeat folded into an open incident is counted there and
 * listed among its tenant's own alerts; an index entry would cost it a second write unit.
 */
export function crossTenantListed(
  kind: CorrelationDecision['kind'],
  incidentSeverity: Severity | undefined,
  severities: readonly Severity[],
): boolean[] {
  if (kind === 'resolve' || kind === 'unmatched-resolve') return severities.map(() => true);
  let worstSoFar = kind === 'join' ? incidentSeverity : undefined;
  return severities.map((severity) => {
    const saysSomethingNew = worstSoFar === undefined || worseSeverity(worstSoFar, severity) !== worstSoFar;
    worstSoFar = worstSoFar === undefined ? severity : worseSeverity(worstSoFar, severity);
    return saysSomethingNew;
  });
}
