import * as z from 'zod';
import { alertmanagerAlertSchema, alertmanagerStyleGroupSchema } from './alertmanager';
import type { SourceAdapter } from './source-adapter';

/**
 * Grafana unified alerting's webhook contact point (version 1):
 * https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/
 * It is Alertmanager's webhook plus Grafana fields, so it maps by Alertmanager's rules;
 * `valueString` (the query values at evaluation) is the message when no annotation says more.
 */
const grafanaAlertSchema = alertmanagerAlertSchema.extend({
  valueString: z.string().optional(),
});

export const grafanaAdapter: SourceAdapter = {
  source: 'grafana',
  payloadSchema: alertmanagerStyleGroupSchema(grafanaAlertSchema, {
    source: 'grafana',
    version: '1',
    fallbackMessage: (alert) => alert.valueString,
  }),
};
