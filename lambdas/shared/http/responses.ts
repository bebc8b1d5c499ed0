import type { APIGatewayProxyResult } from 'aws-lambda';
import type { HttpError } from './errors';

/** Every answer: JSON, never cached by intermediaries, never sniffed as another type. */
const BASE_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function emptyResponse(statusCode = 204): APIGatewayProxyResult {
  return { statusCode, headers: { ...BASE_HEADERS }, body: '' };
}

export function errorResponse(error: HttpError): APIGatewayProxyResult {
  const body = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
  return jsonResponse(error.statusCode, body, { ...error.headers });
}

/** The body for anything we did not mean to throw: a fixed sentence, no trace, no internal name. */
export function internalErrorResponse(): APIGatewayProxyResult {
  return jsonResponse(500, { error: { code: 'internal_error', message: 'The request could not be completed.' } });
}
