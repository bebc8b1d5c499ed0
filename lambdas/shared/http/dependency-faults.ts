/**
 * Faults of a dependency (DynamoDB, STS, Step Functions) that a retry may cure: the API
 * answers 503 with Retry-After for these, never 500, and never blames the caller's input.
 */
const TRANSIENT_ERROR_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionConflictException',
  'TransactionInProgressException',
  'TimeoutError',
  'RequestTimeout',
]);

const TRANSIENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH']);

export function isTransientDependencyFault(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, $metadata } = error as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
  if (TRANSIENT_ERROR_NAMES.has(error.name)) return true;
  if (code && TRANSIENT_NETWORK_CODES.has(code)) return true;
  if ($metadata?.httpStatusCode !== undefined && $metadata.httpStatusCode >= 500) return true;
  // The SDK wraps socket failures; look one level down.
  return error.cause !== undefined && error.cause !== error && isTransientDependencyFault(error.cause);
}
