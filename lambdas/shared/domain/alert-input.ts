import * as z from 'zod';

/**
 * The generic alert body of `POST /v1/alerts`, and the shape every source adapter
 * (Alertmanager, Grafana, CloudWatch, PagerDuty, Datadog) maps its tool's payload to, so
 * that every alert passes the same validation and the same correlation.
 */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export const severitySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof severitySchema>;

export const ALERT_STATUSES = ['firing', 'resolved'] as const;
export const alertStatusSchema = z.enum(ALERT_STATUSES);
export type AlertStatus = z.infer<typeof alertStatusSchema>;

export const MAX_ALERTS_PER_BATCH = 500;

const boundedText = z.string().trim().min(1, 'must not be empty').max(256, 'must be at most 256 characters');

const labelsSchema = z
  .record(
    z.string().trim().min(1, 'label names must not be empty').max(256, 'label names must be at most 256 characters'),
    z.string().max(256, 'label values must be at most 256 characters'))
  .refine((labels) => Object.keys(labels).length <= 50, 'at most 50 labels');

export const alertInputSchema = z.object({
  asset_name: boundedText,
  signature: boundedText,
  severity: severitySchema,
  message: z.string().max(4096, 'must be at most 4096 characters').default(''),
  status: alertStatusSchema.default('firing'),
  source: boundedText.default('generic'),
  dedup_key: boundedText.optional(),
  occurred_at: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' }).optional(),
  labels: labelsSchema.default({}),
});

/** What a sender writes (defaults not yet applied). */
export type AlertInputBody = z.input<typeof alertInputSchema>;
/** A validated alert with every default applied. */
export type AlertInput = z.output<typeof alertInputSchema>;

export const alertBatchSchema = z.object({
  alerts: z
    .array(alertInputSchema)
    .min(1, 'must hold at least one alert')
    .max(MAX_ALERTS_PER_BATCH, `must hold at most ${MAX_ALERTS_PER_BATCH} alerts`),
});

const singleAlertAsBatchSchema = alertInputSchema.transform((alert) => ({ alerts: [alert] }));

export type AlertBatch = z.output<typeof alertBatchSchema>;

/**
 * A body is one alert, or `{"alerts": [...]}`; both become a batch. Choosing the schema by
 * shape (rather than a union) keeps error paths exact: `severity` for a single alert,
 * `alerts[1].severity` in a batch.
 */
export function alertsRequestSchemaFor(body: unknown): z.ZodType<AlertBatch> {
  const isBatch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'alerts' in body;
  return isBatch ? alertBatchSchema : singleAlertAsBatchSchema;
}
