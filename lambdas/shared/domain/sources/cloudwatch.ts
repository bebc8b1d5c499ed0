import * as z from 'zod';
import type { AlertInputBody, Severity } from '../alert-input';
import { severityFromWord } from './severity-words';
import {
  boundedDedupKey,
  boundedLabels,
  boundedMessage,
  firstText,
  sourceTimestampSchema,
  type SourceAdapter,
} from './source-adapter';

/**
 * A CloudWatch alarm delivered by an SNS HTTPS subscription (raw message delivery off):
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
 * SNS wraps the alarm as a JSON string in `Message`; the body arrives as `text/plain`, and
 * the handler hands the adapter the parsed object.
 */

export const SNS_MESSAGE_TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const;

/** The SNS HTTP(S) envelope, for signature checks and subscription confirmation in the handler. */
export const snsEnvelopeSchema = z.object({
  Type: z.enum(SNS_MESSAGE_TYPES),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Subject: z.string().nullish(),
  Message: z.string(),
  Timestamp: z.string().min(1),
  SignatureVersion: z.string().min(1),
  Signature: z.string().min(1),
  SigningCertURL: z.string().min(1),
  /** Confirmations only: GET it to confirm; check it with `isTrustedSnsUrl` first. */
  SubscribeURL: z.string().optional(),
  /** Confirmations only. */
  Token: z.string().optional(),
  UnsubscribeURL: z.string().optional(),
});
export type SnsEnvelope = z.output<typeof snsEnvelopeSchema>;

const dimensionsSchema = z.array(z.object({ name: z.string(), value: z.string() }));

const metricSchema = z.object({
  MetricName: z.string().nullish(),
  Namespace: z.string().nullish(),
  Dimensions: dimensionsSchema.nullish(),
});

/** Single-metric alarms name the metric here; metric-math alarms list `Metrics` instead; composite alarms have no trigger. */
const triggerSchema = metricSchema.extend({
  Metrics: z.array(z.object({ MetricStat: z.object({ Metric: metricSchema }).nullish() })).nullish(),
});

export const cloudWatchAlarmSchema = z.object({
  AlarmName: z.string().trim().min(1, 'must not be empty'),
  AlarmDescription: z.string().nullish(),
  AWSAccountId: z.string().nullish(),
  AlarmArn: z.string().nullish(),
  NewStateValue: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
  OldStateValue: z.string().nullish(),
  NewStateReason: z.string().nullish(),
  StateChangeTime: sourceTimestampSchema.nullish(),
  Region: z.string().nullish(),
  Trigger: triggerSchema.nullish(),
});
type CloudWatchAlarm = z.output<typeof cloudWatchAlarmSchema>;
type AlarmMetric = z.output<typeof metricSchema>;

/** `Message` is the alarm as JSON text; issues inside it keep their path (`Message.NewStateValue`). */
const alarmMessageSchema = z
  .string()
  .transform((text, ctx): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a CloudWatch alarm as JSON text' });
      return z.NEVER;
    }
  })
  .pipe(cloudWatchAlarmSchema);

/**
 * Alarm severity unless the alarm says otherwise: `severity=<word>` anywhere in the
 * AlarmDescription (for example "Disk almost full. severity=critical").
 */
export const DEFAULT_ALARM_SEVERITY: Severity = 'high';
const DESCRIPTION_SEVERITY = /\bseverity\s*[=:]\s*([A-Za-z0-9_-]+)/i;

function alarmSeverity(alarm: CloudWatchAlarm): Severity {
  // No data is not a failure: it says nothing about the resource, so it must not page.
  if (alarm.NewStateValue === 'INSUFFICIENT_DATA') return 'info';
  const word = DESCRIPTION_SEVERITY.exec(alarm.AlarmDescription ?? '')?.[1];
  return severityFromWord(word) ?? DEFAULT_ALARM_SEVERITY;
}

function alarmMetric(alarm: CloudWatchAlarm): AlarmMetric {
  const trigger = alarm.Trigger;
  if (!trigger) return {};
  if (trigger.MetricName || trigger.Dimensions?.length) return trigger;
  return trigger.Metrics?.find((metric) => metric.MetricStat)?.MetricStat?.Metric ?? {};
}

/** The region code from the alarm ARN (`Region` holds its display name, "US East (N. Virginia)"). */
const regionFromArn = (arn: string | null | undefined): string | undefined => /^arn:[^:]+:cloudwatch:([^:]+):/.exec(arn ?? '')?.[1];

function cloudWatchAlert(alarm: CloudWatchAlarm, envelopeTimestamp: string): AlertInputBody {
  const metric = alarmMetric(alarm);
  const dimensions = metric.Dimensions ?? [];
  const instance = dimensions.find((dimension) => dimension.name === 'InstanceId');
  const ownLabels: Array<[string, string | null | undefined]> = [
    ['alarm_name', alarm.AlarmName],
    ['aws_account_id', alarm.AWSAccountId],
    ['aws_region', regionFromArn(alarm.AlarmArn)],
    ['aws_region_name', alarm.Region],
    ['namespace', metric.Namespace],
    ['metric_name', metric.MetricName],
    ['previous_state', alarm.OldStateValue],
    ['state', alarm.NewStateValue],
  ];
  return {
    asset_name: firstText(instance?.value, dimensions[0]?.value, alarm.AlarmName) ?? 'cloudwatch',
    signature: firstText(metric.MetricName, alarm.AlarmName) ?? 'cloudwatch_alarm',
    severity: alarmSeverity(alarm),
    message: boundedMessage(alarm.NewStateReason) || boundedMessage(alarm.AlarmDescription),
    status: alarm.NewStateValue === 'OK' ? 'resolved' : 'firing',
    source: 'cloudwatch',
    dedup_key: boundedDedupKey(alarm.AlarmArn),
    occurred_at: alarm.StateChangeTime ?? envelopeTimestamp,
    labels: boundedLabels([
      ...ownLabels.flatMap(([name, value]): Array<[string, string]> => (value ? [[name, value]] : [])),
      ...dimensions.map((dimension): [string, string] => [dimension.name, dimension.value]),
    ]),
  };
}

export const cloudWatchAdapter: SourceAdapter = {
  source: 'cloudwatch',
  payloadSchema: snsEnvelopeSchema
    .extend({
      Type: z.literal('Notification', { error: 'must be Notification (subscription confirmations are not alerts)' }),
      Message: alarmMessageSchema,
      Timestamp: sourceTimestampSchema,
    })
    .transform((notification) => [cloudWatchAlert(notification.Message, notification.Timestamp)]),
};
