/**
 * Faults of a dependency (DynamoDB, STS, Step Functions) that a retry may cure: the API
 * answers 503 with Retry-After for these, never 500, and never blames the caller's input.
 */
const TRANSIENT_ERROR_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  // API Gateway's management API (the authorizer-cache flush, usage plans) throttles with this name.
  'TooManyRequestsException',
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

interface ErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly cause?: unknown;
  readonly $metadata?: { httpStatusCode?: number };
}

/** Duck-typed, not `instanceof Error`: socket errors may come from another realm (a VM context, a worker). */
export function isTransientDependencyFault(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, message, code, $metadata, cause } = error as ErrorLike;
  if (name && TRANSIENT_ERROR_NAMES.has(name)) return true;
  if (code && TRANSIENT_NETWORK_CODES.has(code)) return true;
  // The SDK's retry layer re-wraps errors it does not recognise as its own ("AWS SDK error
  // wrapper for Error: connect ECONNREFUSED …"), dropping `code`; the message keeps it.
  if (message?.startsWith('AWS SDK error wrapper for') && [...TRANSIENT_NETWORK_CODES].some((networkCode) => message.includes(networkCode))) return true;
  if ($metadata?.httpStatusCode !== undefined && $metadata.httpStatusCode >= 500) return true;
  // The SDK wraps some socket failures; look one level down.
  return cause !== undefined && cause !== error && isTransientDependencyFault(cause);
}
