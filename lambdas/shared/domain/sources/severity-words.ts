import type { Severity } from '../alert-input';

/**
 * The words monitoring tools use for severity, mapped once for every adapter, so that
 * `severity="warning"` in Alertmanager and `"severity": "warning"` in PagerDuty mean the
 * same thing here. P1–P5 are Datadog's (and many teams') priorities.
 */
const SEVERITY_WORDS: ReadonlyMap<string, Severity> = new Map<string, Severity>([
  ...words('critical', ['critical', 'crit', 'fatal', 'page', 'emergency', 'p1']),
  ...words('high', ['error', 'err', 'high', 'major', 'p2']),
  ...words('medium', ['warning', 'warn', 'medium', 'p3']),
  ...words('low', ['low', 'minor', 'p4']),
  ...words('info', ['info', 'informational', 'none', 'debug', 'p5']),
]);

function words(severity: Severity, names: readonly string[]): Array<[string, Severity]> {
  return names.map((name) => [name, severity]);
}

/** The severity a tool's word means (case and surrounding blanks ignored); undefined for a word we do not know. */
export function severityFromWord(word: string | null | undefined): Severity | undefined {
  if (!word) return undefined;
  return SEVERITY_WORDS.get(word.trim().toLowerCase());
}

