import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { AlertSource } from '../../../../lib/api-routes';
import { MAX_ALERTS_PER_BATCH, type AlertInputBody } from '../alert-input';

/**
 * Turns one monitoring tool's native webhook body into generic alert bodies. Adapters are
 * pure (no I/O, no clock, no environment), so every mapping rule is unit-tested on real
 * payloads, and the handler validates their output with the same `alertInputSchema` as
 * `POST /v1/alerts`.
 */
export interface SourceAdapter {
  /** The `{source}` path segment; also the `source` of every alert the adapter makes. */
  readonly source: AlertSource;
  /**
   * Parses the tool's body and maps it. A malformed body fails with zod issues whose paths
   * name the tool's own fields (`alerts[0].labels`, `Message.AlarmName`), so the 400 tells
   * the sender what to fix in terms it knows.
   */
  readonly payloadSchema: z.ZodType<AlertInputBody[]>;
}

// The limits of `alertInputSchema` (API.md "Alerts in"): adapters cut real payloads to fit
// them instead of refusing an alert for a long label.
export const NAME_MAX_LENGTH = 256;
export const MESSAGE_MAX_LENGTH = 4096;
export const LABEL_MAX_COUNT = 50;
export const LABEL_MAX_LENGTH = 256;

/** Cuts to `max` UTF-16 units without splitting a surrogate pair, so the text stays valid Unicode. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const lastKept = text.charCodeAt(max - 1);
  const splitsPair = lastKept >= 0xd800 && lastKept <= 0xdbff;
  return text.slice(0, splitsPair ? max - 1 : max);
}

/** The first candidate holding non-blank text, trimmed and cut to the 256-character name limit. */
export function firstText(...candidates: ReadonlyArray<string | null | undefined>): string | undefined {
  for (const candidate of candidates) {
    const text = candidate?.trim();
    if (text) return truncate(text, NAME_MAX_LENGTH).trim();
  }
  return undefined;
}

/** Non-blank parts, each once, one per line, cut to the 4,096-character message limit. */
export function boundedMessage(...parts: ReadonlyArray<string | null | undefined>): string {
  const kept: string[] = [];
  for (const part of parts) {
    const text = part?.trim();
    if (text && !kept.includes(text)) kept.push(text);
  }
  return truncate(kept.join('\n'), MESSAGE_MAX_LENGTH);
}

/**
 * The first 50 distinct label names, names and values cut to 256 characters. Earlier
 * entries win, so an adapter lists its own labels first to keep them when a payload
 * carries more than 50.
 */
export function boundedLabels(entries: Iterable<readonly [string, string]>): Record<string, string> {
  const labels = new Map<string, string>();
  for (const [name, value] of entries) {
    if (labels.size >= LABEL_MAX_COUNT) break;
    // DynamoDB refuses an empty map key; a tool's unnamed detail carries nothing to filter on.
    if (name.trim() === '') continue;
    const boundedName = truncate(name, LABEL_MAX_LENGTH);
    if (!labels.has(boundedName)) labels.set(boundedName, truncate(value, LABEL_MAX_LENGTH));
  }
  // Object.fromEntries defines own properties, so a label named `__proto__` stays a label.
  return Object.fromEntries(labels);
}

/**
 * The tool's own dedup key, which becomes the alert's fingerprint. A key over 256
 * characters (an alarm ARN with a long name) is hashed, not cut: two cut keys could
 * collide and merge unrelated incidents.
 */
export function boundedDedupKey(key: string | null | undefined): string | undefined {
  const text = key?.trim();
  if (!text) return undefined;
  if (text.length <= NAME_MAX_LENGTH) return text;
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * A tool's date-time, normalised to ISO-8601 UTC. Accepts RFC 3339 with any fraction
 * (Alertmanager sends nanoseconds) and offsets without a colon, which CloudWatch and
 * PagerDuty send (`2015-06-03T17:43:27.123+0000`).
 */
export function toIsoUtc(value: string): string | undefined {
  const text = value.trim();
  if (!RFC3339.test(text)) return undefined;
  const withColon = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const date = new Date(withColon);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export const sourceTimestampSchema = z.string().transform((value, ctx) => {
  const iso = toIsoUtc(value);
  if (iso === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be an RFC 3339 date-time', input: value });
    return z.NEVER;
  }
  return iso;
});

/** The alert array of a grouped payload, bounded like a batch of `POST /v1/alerts`. */
export function alertArraySchema<T extends z.ZodType>(alert: T) {
  return z
    .array(alert)
    .min(1, 'must hold at least one alert')
    .max(MAX_ALERTS_PER_BATCH, `must hold at most ${MAX_ALERTS_PER_BATCH} alerts`);
}

/** Label values from JSON values: strings as they are, anything else as its JSON text. */
export function labelValueOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}
