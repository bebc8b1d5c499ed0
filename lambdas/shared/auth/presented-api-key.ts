import { headerValue } from '../http/headers';

/**
 * Where a request may carry its API key: `X-API-Key`, `Authorization: Bearer`, or, on
 * webhook routes only, `?api_key=` (Alertmanager and others cannot set custom headers).
 */
export interface KeyCarrier {
  readonly headers?: Record<string, string | undefined> | null;
  readonly queryStringParameters?: Record<string, string | undefined> | null;
}

function header(carrier: KeyCarrier, name: string): string | undefined {
  return headerValue(carrier.headers, name)?.trim() || undefined;
}

/**
 * The one key the request presents, or `undefined` if none, or if it presents two
 * different ones: ambiguity is refused rather than resolved in someone's favour.
 */
export function presentedApiKey(carrier: KeyCarrier, acceptQueryKey: boolean): string | undefined {
  const bearer = header(carrier, 'authorization')?.match(/^Bearer\s+(awapi_\S+)$/i)?.[1];
  const candidates = [header(carrier, 'x-api-key'), bearer, acceptQueryKey ? carrier.queryStringParameters?.api_key : undefined].filter(
    (value): value is string => Boolean(value),
  );
  const distinct = new Set(candidates);
  return distinct.size === 1 ? candidates[0] : undefined;
}
