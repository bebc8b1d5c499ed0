import * as z from 'zod';
import { alertmanagerAlertSchema, alertmanagerStyleGroupSchema } from './alertmanager';
import type { SourceAdapter } from './source-adapter';

/**
 * Grafana unified alerting's webhook contact point (version 1):
 * https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/
 * It is Alertmanager's webhook plus Grafana fields, so it maps by Alertmanager's rules. Of
 * Grafana's own: `valueString` (the query values at evaluation) is the message when no
 * annotation says more, else the notification's `title`; `values` and the group's `orgId`
 * become labels a technician can filter on; `state` and `message` (the rendered
 * notification, of the whole group) say nothing one alert's status does not.
 */
const grafanaAlertSchema = alertmanagerAlertSchema.extend({
  valueString: z.string().optional(),
  // A query with no data at evaluation has no value (null).
  values: z.record(z.string(), z.number().nullable()).optional(),
});

const grafanaGroupSchema = z.object({
  orgId: z.number().int().optional(),
  title: z.string().optional(),
});

export const grafanaAdapter: SourceAdapter = {
  source: 'grafana',
  payloadSchema: alertmanagerStyleGroupSchema(grafanaAlertSchema, {
    source: 'grafana',
    version: '1',
    groupSchema: grafanaGroupSchema,
    fallbackMessage: (alert, group) => alert.valueString ?? group.title,
    extraLabels: (alert, group) => [
      ...(group.orgId === undefined ? [] : [['grafana_org_id', String(group.orgId)] as const]),
      ...Object.entries(alert.values ?? {}).flatMap(([refId, value]) => (value === null ? [] : [[`grafana_value_${refId}`, String(value)] as const])),
    ],
  }),
};
