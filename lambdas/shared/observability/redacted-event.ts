/**
 * What of a request may be logged when event logging is on (`POWERTOOLS_LOGGER_LOG_EVENT`,
 * for debugging): everything but credentials. API keys travel in `X-API-Key`,
 * `Authorization` and, on webhook routes, `?api_key=`; webhook signatures in `X-Signature`;
 * a body may carry a sender's own secrets (a PagerDuty routing key), so only its size is kept.
 */
export const REDACTED = '[redacted]';

const SECRET_HEADERS = new Set(['x-api-key', 'authorization', 'x-signature']);
const SECRET_QUERY_PARAMETERS = new Set(['api_key']);
const QUERY_KEY_IN_PATH = /([?&]api_key=)[^&#\s]*/gi;

type Values = Record<string, unknown> | null | undefined;

function redactValues(values: Values, secret: (name: string) => boolean): Values {
  if (!values || typeof values !== 'object') return values;
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, secret(name) ? REDACTED : value]));
}

const secretHeader = (name: string) => SECRET_HEADERS.has(name.toLowerCase());
const secretQuery = (name: string) => SECRET_QUERY_PARAMETERS.has(name.toLowerCase());
const redactPath = (path: unknown) => (typeof path === 'string' ? path.replace(QUERY_KEY_IN_PATH, `$1${REDACTED}`) : path);

/** A copy of an API Gateway event (proxy or REQUEST authorizer) that is safe to log. */
export function redactedEvent(event: unknown): unknown {
  if (!event || typeof event !== 'object') return event;
  const source = event as Record<string, unknown>;
  const copy: Record<string, unknown> = { ...source };
  if ('headers' in source) copy.headers = redactValues(source.headers as Values, secretHeader);
  if ('multiValueHeaders' in source) copy.multiValueHeaders = redactValues(source.multiValueHeaders as Values, secretHeader);
  if ('queryStringParameters' in source) copy.queryStringParameters = redactValues(source.queryStringParameters as Values, secretQuery);
  if ('multiValueQueryStringParameters' in source) {
    copy.multiValueQueryStringParameters = redactValues(source.multiValueQueryStringParameters as Values, secretQuery);
  }
  for (const field of ['path', 'rawPath', 'rawQueryString', 'methodArn']) if (field in source) copy[field] = redactPath(source[field]);
  if (typeof source.body === 'string') copy.body = `[${Buffer.byteLength(source.body, 'utf8')} bytes]`;
  if (source.requestContext && typeof source.requestContext === 'object') {
    const context = source.requestContext as Record<string, unknown>;
    copy.requestContext = { ...context, ...('path' in context ? { path: redactPath(context.path) } : {}) };
  }
  return copy;
}
