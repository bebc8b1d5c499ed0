import type { Severity } from './alert-input';

/**
 * priority_score (0–100), DESIGN.md's default formula:
 *   severity points (info 0, low 10, medium 30, high 60, critical 90)
 *   + 20 if the asset is on the tenant's critical-asset list
 *   + min(2 × alert_count, 20)
 *   + 10 if two or more sources reported it
 *   − min(age in hours, 10)
 * clamped to 0–100. The breakdown is stored beside the score so a technician can see why.
 */
export const SEVERITY_POINTS: Readonly<Record<Severity, number>> = { info: 0, low: 10, medium: 30, high: 60, critical: 90 };
export const CRITICAL_ASSET_POINTS = 20;
export const MAX_VOLUME_POINTS = 20;
export const MULTI_SOURCE_POINTS = 10;
export const MAX_AGE_PENALTY = 10;

export interface PriorityFacts {
  readonly severity: Severity;
  readonly criticalAsset: boolean;
  readonly alertCount: number;
  readonly sourceCount: number;
  /** ISO time the incident was first seen. */
  readonly firstSeen: string;
}

export interface PriorityBreakdown {
  readonly severity: number;
  readonly critical_asset: number;
  readonly volume: number;
  readonly multi_source: number;
  readonly age_penalty: number;
}

export interface Priority {
  readonly score: number;
  readonly breakdown: PriorityBreakdown;
}

export function priorityOf(facts: PriorityFacts, now: Date): Priority {
  const ageHours = Math.max(0, (now.getTime() - Date.parse(facts.firstSeen)) / 3_600_000);
  const breakdown: PriorityBreakdown = {
    severity: SEVERITY_POINTS[facts.severity],
    critical_asset: facts.criticalAsset ? CRITICAL_ASSET_POINTS : 0,
    volume: Math.min(2 * facts.alertCount, MAX_VOLUME_POINTS),
    multi_source: facts.sourceCount >= 2 ? MULTI_SOURCE_POINTS : 0,
    age_penalty: Math.min(Math.floor(ageHours), MAX_AGE_PENALTY),
  };
  const raw = breakdown.severity + breakdown.critical_asset + breakdown.volume + breakdown.multi_source - breakdown.age_penalty;
  return { score: Math.max(0, Math.min(100, raw)), breakdown };
}

/** The worse of two severities: an incident is as severe as its worst alert. */
export function worseSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_POINTS[a] >= SEVERITY_POINTS[b] ? a : b;
}
