import * as z from 'zod';
import type { AlertInputBody, Severity } from '../alert-input';
import { severityFromWord } from './severity-words';
import {
  boundedDedupKey,
  boundedLabels,
  boundedMessage,
  firstText,
  toIsoUtc,
  type SourceAdapter,
} from './source-adapter';

/**
 * Datadog's webhook integration: https://docs.datadoghq.com/integrations/webhooks/
 * Datadog posts whatever JSON template the webhook holds, with `$VARIABLES` filled in.
 * The default template (`id`, `title`, `body`, `event_type`, `date`, `last_updated`, `org`)
 * is accepted; the recommended one below adds the monitor fields that make dedup,
 * severity and asset exact.
 */

/** Paste into Datadog → Integrations → Webhooks → Payload. Every value is a string, as Datadog fills them. */
export const DATADOG_RECOMMENDED_TEMPLATE = `{
  "id": "$ID",
  "title": "$EVENT_TITLE",
  "body": "$EVENT_MSG",
  "event_type": "$EVENT_TYPE",
  "date": "$DATE",
  "last_updated": "$LAST_UPDATED",
  "org": { "id": "$ORG_ID", "name": "$ORG_NAME" },
  "alert_id": "$ALERT_ID",
  "alert_title": "$ALERT_TITLE",
  "alert_transition": "$ALERT_TRANSITION",
  "alert_type": "$ALERT_TYPE",
  "alert_metric": "$ALERT_METRIC",
  "alert_scope": "$ALERT_SCOPE",
  "alert_status": "$ALERT_STATUS",
  "aggreg_key": "$AGGREG_KEY",
  "hostname": "$HOSTNAME",
  "priority": "$ALERT_PRIORITY",
  "tags": "$TAGS",
  "link": "$LINK"
}`;

/** Datadog fills a template with strings, but a hand-written template may leave ids unquoted. */
const idSchema = z.union([z.string(), z.number()]).transform(String);

/** Below this an epoch is in seconds: 1e11 s is the year 5138, 1e11 ms is 1973. */
const EPOCH_SECONDS_BELOW = 1e11;

/** `$DATE` is epoch milliseconds ("1406662672000"); seconds and RFC 3339 are accepted too. Blank means unknown. */
const eventTimeSchema = z.union([z.string(), z.number()]).transform((value, ctx): string | undefined => {
  const text = String(value).trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const epoch = Number(text);
    const date = new Date(epoch < EPOCH_SECONDS_BELOW ? epoch * 1000 : epoch);
    if (!Number.isNaN(date.getTime())) return date.toISOString();
  } else {
    const iso = toIsoUtc(text);
    if (iso !== undefined) return iso;
  }
  ctx.addIssue({ code: 'custom', message: 'must be an epoch time (milliseconds or seconds) or an RFC 3339 date-time', input: value });
  return z.NEVER;
});

export const datadogWebhookSchema = z.object({
  title: z.string().trim().min(1, 'must not be empty'),
  id: idSchema.optional(),
  body: z.string().optional(),
  event_type: z.string().optional(),
  date: eventTimeSchema.optional(),
  last_updated: eventTimeSchema.optional(),
  org: z.object({ id: idSchema.optional(), name: z.string().optional() }).optional(),
  alert_id: idSchema.optional(),
  alert_title: z.string().optional(),
  alert_transition: z.string().optional(),
  alert_type: z.string().optional(),
  alert_metric: z.string().optional(),
  alert_scope: z.string().optional(),
  alert_status: z.string().optional(),
  aggreg_key: z.string().optional(),
  hostname: z.string().optional(),
  priority: z.string().optional(),
  tags: z.union([z.string(), z.array(z.string())]).optional(),
  link: z.string().optional(),
});
type DatadogWebhook = z.output<typeof datadogWebhookSchema>;

/** What Datadog's titles carry in front: `[P1] [Triggered on {host:web-01}] CPU is high`. */
interface DatadogTitle {
  readonly priority?: string;
  readonly transition?: string;
  readonly scope?: string;
  readonly name: string;
}

const TITLE_TAG = /^\s*\[([^\]]*)\]/;
const PRIORITY_TAG = /^P[1-5]$/i;
const TRANSITION_TAG = /^((?:Re-)?(?:Triggered|Warn|No Data)|Recovered|Renotify)(?:\s+on\s+\{([^}]*)\})?$/i;

function parseTitle(title: string): DatadogTitle {
  let rest = title;
  let priority: string | undefined;
  let transition: string | undefined;
  let scope: string | undefined;
  for (let tag = TITLE_TAG.exec(rest); tag; tag = TITLE_TAG.exec(rest)) {
    const text = (tag[1] ?? '').trim();
    const transitionTag = TRANSITION_TAG.exec(text);
    if (PRIORITY_TAG.test(text)) priority ??= text;
    else if (transitionTag) {
      transition ??= transitionTag[1];
      scope ??= transitionTag[2];
    } else break;
    rest = rest.slice(tag[0].length);
  }
  rest = rest.trim();
  // The default template's title is "[Triggered] [Memory Alert]": the name is bracketed too.
  const bracketedName = /^\[([^\]]*)\]$/.exec(rest)?.[1];
  return { priority, transition, scope, name: (bracketedName ?? rest).trim() };
}

/** `$TAGS` and `$ALERT_SCOPE` are comma-separated `key:value` tags; a bare tag becomes a label with an empty value. */
function parseTags(tags: string | readonly string[] | undefined): Array<[string, string]> {
  const list = typeof tags === 'string' ? tags.split(',') : (tags ?? []);
  return list
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '')
    .map((tag): [string, string] => {
      const colon = tag.indexOf(':');
      return colon < 0 ? [tag, ''] : [tag.slice(0, colon), tag.slice(colon + 1)];
    });
}

const tagValue = (tags: ReadonlyArray<readonly [string, string]>, name: string): string | undefined =>
  tags.find(([tagName]) => tagName === name)?.[1];

function transitionSeverity(transition: string | undefined): Severity | undefined {
  const word = transition?.trim().toLowerCase().replace(/^re-/, '');
  if (word === 'triggered' || word === 'renotify') return 'high';
  if (word === 'warn') return 'medium';
  if (word === 'no data' || word === 'recovered') return 'info';
  return undefined;
}

/** `$ALERT_TYPE` is error, warning, info or success (a recovery). */
function alertTypeSeverity(alertType: string | undefined): Severity | undefined {
  return alertType?.trim().toLowerCase() === 'success' ? 'info' : severityFromWord(alertType);
}

/** `$EVENT_MSG` comes wrapped in `%%%` lines, Datadog's markdown markers, which say nothing. */
const withoutMarkdownMarkers = (text: string | undefined): string | undefined => text?.replace(/^\s*%%%\s*|\s*%%%\s*$/g, '');

function datadogAlert(event: DatadogWebhook): AlertInputBody {
  const title = parseTitle(event.alert_title || event.title);
  const transition = firstText(event.alert_transition, title.transition);
  // Kept whole for the dedup key: a scope cut at 256 characters could merge two groups.
  const scope = event.alert_scope?.trim() || title.scope?.trim() || undefined;
  const tags = parseTags(event.tags);
  const scopeTags = parseTags(scope);
  const priority = [event.priority, title.priority].find((word) => PRIORITY_TAG.test(word?.trim() ?? ''));
  const alertId = firstText(event.alert_id);
  const recovered = transition?.toLowerCase() === 'recovered' || event.alert_type?.trim().toLowerCase() === 'success';
  const ownLabels: Array<[string, string | undefined]> = [
    ['datadog_event_id', event.id],
    ['datadog_alert_id', alertId],
    ['datadog_transition', transition],
    ['datadog_priority', priority?.trim()],
    ['datadog_event_type', event.event_type],
    ['datadog_metric', event.alert_metric],
    ['datadog_scope', scope],
    ['datadog_org', event.org?.name],
    ['datadog_link', event.link],
  ];
  const signature = firstText(title.name, event.alert_title, event.title) ?? 'datadog_alert';
  return {
    asset_name: firstText(event.hostname, tagValue(tags, 'host'), tagValue(scopeTags, 'host')) ?? signature,
    signature,
    severity:
      severityFromWord(priority) ?? alertTypeSeverity(event.alert_type) ?? transitionSeverity(transition) ?? 'medium',
    message: boundedMessage(withoutMarkdownMarkers(event.body)) || boundedMessage(event.alert_status, event.title),
    status: recovered ? 'resolved' : 'firing',
    source: 'datadog',
    // A monitor alerts once per group (scope); the event id changes with every notification, so it is no dedup key.
    dedup_key: boundedDedupKey(alertId ? (scope ? `${alertId}:${scope}` : alertId) : event.aggreg_key),
    occurred_at: event.date ?? event.last_updated,
    labels: boundedLabels([
      ...ownLabels.flatMap(([name, value]): Array<[string, string]> => (value?.trim() ? [[name, value.trim()]] : [])),
      ...tags,
    ]),
  };
}

export const datadogAdapter: SourceAdapter = {
  source: 'datadog',
  payloadSchema: datadogWebhookSchema.transform((event) => [datadogAlert(event)]),
};
