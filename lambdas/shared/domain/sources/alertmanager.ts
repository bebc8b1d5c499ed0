import * as z from 'zod';
import type { AlertSource } from '../../../../lib/api-routes';
import type { AlertInputBody } from '../alert-input';
import { severityFromWord } from './severity-words';
import {
  alertArraySchema,
  boundedDedupKey,
  boundedLabels,
  boundedMessage,
  firstText,
  sourceTimestampSchema,
  type SourceAdapter,
} from './source-adapter';

/**
 * Prometheus Alertmanager's webhook (version 4):
 * https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
 * One request carries a whole notification group; each alert keeps its own status, so a
 * `firing` group may hold `resolved` alerts, and each maps on its own.
 */

const stringMapSchema = z.record(z.string(), z.string());

export const alertmanagerAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: stringMapSchema,
  annotations: stringMapSchema.optional(),
  startsAt: sourceTimestampSchema,
  endsAt: sourceTimestampSchema.optional(),
  fingerprint: z.string().optional(),
});
export type AlertmanagerAlert = z.output<typeof alertmanagerAlertSchema>;

/** Labels that name the affected thing, best first; the alert name stands in when none is set. */
const ASSET_LABELS = ['instance', 'host', 'pod', 'job', 'service'] as const;

/** Go's zero time: Alertmanager's `endsAt` for an alert that has not ended. */
const isGoZeroTime = (iso: string): boolean => iso.startsWith('0001-01-01T');

export interface AlertmanagerStyleOptions<A extends AlertmanagerAlert, G extends object> {
  readonly source: AlertSource;
  /** The webhook `version` the tool sends: a body of another version (or tool) is refused, not guessed at. */
  readonly version: string;
  /** The group-level fields the tool adds to Alertmanager's (Grafana's `orgId`, `title`, …), parsed with the group. */
  readonly groupSchema: z.ZodType<G>;
  /** Text for an alert whose annotations hold no summary or description (Grafana's `valueString`). */
  readonly fallbackMessage?: (alert: A, group: G) => string | undefined;
  /** Labels the tool's own fields add to the alert's (after them: the alert's labels win a clash). */
  readonly extraLabels?: (alert: A, group: G) => Iterable<readonly [string, string]>;
}

/**
 * The group schema shared by Alertmanager and the tools that copy its webhook (Grafana),
 * so both map labels, severity and times by one set of rules.
 */
export function alertmanagerStyleGroupSchema<A extends AlertmanagerAlert, G extends object>(
  alertSchema: z.ZodType<A>,
  options: AlertmanagerStyleOptions<A, G>,
): z.ZodType<AlertInputBody[]> {
  const common = z.object({
    version: z.literal(options.version, { error: `must be "${options.version}" (the ${options.source} webhook format)` }),
    alerts: alertArraySchema(alertSchema),
  });
  return z.intersection(common, options.groupSchema).transform((group) => group.alerts.map((alert) => alertmanagerStyleAlert(alert, group, options)));
}

function alertmanagerStyleAlert<A extends AlertmanagerAlert, G extends object>(alert: A, group: G, options: AlertmanagerStyleOptions<A, G>): AlertInputBody {
  const { labels } = alert;
  const annotations = alert.annotations ?? {};
  const signature = firstText(labels.alertname) ?? `${options.source}_alert`;
  const ended = alert.status === 'resolved' && alert.endsAt !== undefined && !isGoZeroTime(alert.endsAt);
  const occurredAt = ended ? alert.endsAt : alert.startsAt;
  return {
    asset_name: firstText(...ASSET_LABELS.map((name) => labels[name])) ?? signature,
    signature,
    severity: severityFromWord(labels.severity) ?? 'medium',
    message:
      boundedMessage(annotations.summary, annotations.description) ||
      boundedMessage(annotations.message, options.fallbackMessage?.(alert, group)),
    status: alert.status,
    source: options.source,
    dedup_key: boundedDedupKey(alert.fingerprint),
    occurred_at: occurredAt === undefined || isGoZeroTime(occurredAt) ? undefined : occurredAt,
    labels: boundedLabels([...Object.entries(labels), ...(options.extraLabels?.(alert, group) ?? [])]),
  };
}

export const alertmanagerAdapter: SourceAdapter = {
  source: 'alertmanager',
  payloadSchema: alertmanagerStyleGroupSchema(alertmanagerAlertSchema, { source: 'alertmanager', version: '4', groupSchema: z.object({}) }),
};
