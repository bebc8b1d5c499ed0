import * as z from 'zod';
import type { AlertInputBody } from '../alert-input';
import { severityFromWord } from './severity-words';
import {
  boundedDedupKey,
  boundedLabels,
  boundedMessage,
  firstText,
  labelValueOf,
  sourceTimestampSchema,
  type SourceAdapter,
} from './source-adapter';

/**
 * A PagerDuty Events API v2 alert event, one per body (the API has no batch form), so a
 * tool already wired to PagerDuty can post the same body here:
 * https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
 * `routing_key` is PagerDuty's integration key: the schema never reads it, so it is
 * stripped at parse and reaches no label, log or stored item.
 */

const PAGERDUTY_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

const eventPayloadSchema = z.object({
  summary: z.string().trim().min(1, 'must not be empty'),
  source: z.string().trim().min(1, 'must not be empty'),
  severity: z.enum(PAGERDUTY_SEVERITIES),
  timestamp: sourceTimestampSchema.optional(),
  component: z.string().optional(),
  group: z.string().optional(),
  class: z.string().optional(),
  custom_details: z.unknown().optional(),
});
type EventPayload = z.output<typeof eventPayloadSchema>;

/** As PagerDuty demands: a trigger carries the payload; acknowledge and resolve name the alert by `dedup_key`. */
export const pagerDutyEventSchema = z.discriminatedUnion('event_action', [
  z.object({
    event_action: z.literal('trigger'),
    dedup_key: z.string().optional(),
    payload: eventPayloadSchema,
  }),
  z.object({
    event_action: z.enum(['acknowledge', 'resolve']),
    dedup_key: z.string().trim().min(1, 'is required to acknowledge or resolve'),
    payload: eventPayloadSchema.partial().optional(),
  }),
]);
type PagerDutyEvent = z.output<typeof pagerDutyEventSchema>;

function detailLabels(details: unknown): Array<[string, string]> {
  if (details === undefined || details === null) return [];
  if (typeof details === 'object' && !Array.isArray(details)) {
    return Object.entries(details).map(([name, value]): [string, string] => [name, labelValueOf(value)]);
  }
  return [['custom_details', labelValueOf(details)]];
}

function pagerDutyAlert(event: PagerDutyEvent): AlertInputBody {
  const payload: Partial<EventPayload> = event.payload ?? {};
  const ownLabels: Array<[string, string | undefined]> = [
    // An acknowledge keeps the alert firing (the problem is still there); the label says someone is on it.
    ['pagerduty_action', event.event_action],
    ['group', payload.group],
    ['class', payload.class],
    ['component', payload.component],
  ];
  return {
    // Acknowledge and resolve may carry no payload: the dedup key alone finds the incident.
    asset_name: firstText(payload.source) ?? 'unknown',
    signature: firstText(payload.class, payload.component, payload.summary) ?? 'pagerduty_event',
    severity: severityFromWord(payload.severity) ?? 'info',
    message: boundedMessage(payload.summary),
    status: event.event_action === 'resolve' ? 'resolved' : 'firing',
    source: 'pagerduty',
    dedup_key: boundedDedupKey(event.dedup_key),
    occurred_at: payload.timestamp,
    labels: boundedLabels([
      ...ownLabels.flatMap(([name, value]): Array<[string, string]> => (value ? [[name, value]] : [])),
      ...detailLabels(payload.custom_details),
    ]),
  };
}

export const pagerDutyAdapter: SourceAdapter = {
  source: 'pagerduty',
  payloadSchema: pagerDutyEventSchema.transform((event) => [pagerDutyAlert(event)]),
};
