import type { AlertSource } from '../../../../lib/api-routes';
import { alertmanagerAdapter } from './alertmanager';
import { cloudWatchAdapter } from './cloudwatch';
import { datadogAdapter } from './datadog';
import { grafanaAdapter } from './grafana';
import { pagerDutyAdapter } from './pagerduty';
import type { SourceAdapter } from './source-adapter';

export type { SourceAdapter } from './source-adapter';
export { DATADOG_RECOMMENDED_TEMPLATE } from './datadog';
export { snsEnvelopeSchema, type SnsEnvelope } from './cloudwatch';
export { isTrustedSnsUrl, verifySnsMessage, type SnsCertificateFetcher } from './sns-message-signature';

/** One adapter per `{source}` of `POST /v1/alerts/{source}`; the Record type makes a missing source a compile error. */
export const SOURCE_ADAPTERS: Readonly<Record<AlertSource, SourceAdapter>> = {
  alertmanager: alertmanagerAdapter,
  grafana: grafanaAdapter,
  cloudwatch: cloudWatchAdapter,
  pagerduty: pagerDutyAdapter,
  datadog: datadogAdapter,
};

/**
 * The adapter for a path segment, undefined for any other. `{source}` is caller input:
 * an own-property check keeps `__proto__`, `constructor` or `toString` from reaching
 * Object.prototype.
 */
export function sourceAdapterFor(name: string): SourceAdapter | undefined {
  return Object.hasOwn(SOURCE_ADAPTERS, name) ? SOURCE_ADAPTERS[name as AlertSource] : undefined;
}
