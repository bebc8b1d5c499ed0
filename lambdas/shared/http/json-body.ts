import type { APIGatewayProxyEvent } from 'aws-lambda';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from './errors';
import { headerValue } from './headers';

/** API.md: bodies over 1 MiB are refused with 413 (API Gateway alone would take 10 MB). */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface BodyOptions {
  /** Media types other than JSON that still carry JSON (SNS posts `text/plain`). */
  readonly alsoAccept?: readonly string[];
}

/** Keys that could reach an object's prototype if a later copy used plain assignment. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function mediaTypeOf(event: APIGatewayProxyEvent): string | undefined {
  const header = headerValue(event.headers, 'content-type');
  return header?.split(';')[0].trim().toLowerCase() || undefined;
}

function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || /^application\/[\w.+-]+\+json$/.test(mediaType);
}

/**
 * The body exactly as the sender wrote it: the bytes webhook signatures are computed over.
 * Size (413) and media type (415) are checked here, before anything parses the body.
 */
export function readRawBody(event: APIGatewayProxyEvent, options: BodyOptions = {}): string {
  const body = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  const mediaType = mediaTypeOf(event);
  if (!mediaType || !(isJsonMediaType(mediaType) || options.alsoAccept?.includes(mediaType))) {
    throw new UnsupportedMediaTypeError();
  }
  if (!event.isBase64Encoded) return body;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BadRequestError('invalid_json', 'The body is not valid UTF-8.', [{ field: 'body', message: 'must be UTF-8' }]);
  }
}

/** JSON.parse that drops prototype-reaching keys, so no later merge of the value can pollute a prototype. */
export function parseJson(raw: string): unknown {
  if (raw.trim() === '') {
    throw new BadRequestError('invalid_json', 'The body is empty.', [{ field: 'body', message: 'must be a JSON document' }]);
  }
  try {
    return JSON.parse(raw, (key, value: unknown) => (PROTOTYPE_KEYS.has(key) ? undefined : value));
  } catch {
    throw new BadRequestError('invalid_json', 'The body is not valid JSON.', [{ field: 'body', message: 'must be valid JSON' }]);
  }
}
