/**
 * The one error vocabulary of the API. Domain code and repositories throw these; the error
 * middleware (`http-errors.ts`) turns them into API.md's error body. No handler builds an
 * error body by hand.
 */
export interface FieldIssue {
  /** `alerts[1].severity`, `time_window_minutes`, `body`. */
  readonly field: string;
  readonly message: string;
}

export abstract class HttpError extends Error {
  abstract readonly statusCode: number;
  abstract readonly code: string;
  readonly details?: readonly FieldIssue[];
  readonly headers: Readonly<Record<string, string>> = {};

  constructor(message: string, options?: { cause?: unknown; details?: readonly FieldIssue[] }) {
    super(message, { cause: options?.cause });
    this.name = new.target.name;
    this.details = options?.details;
  }
}

export class BadRequestError extends HttpError {
  readonly statusCode = 400;
  constructor(
    readonly code: string,
    message: string,
    details?: readonly FieldIssue[],
  ) {
    super(message, { details });
  }
}

export class ValidationError extends BadRequestError {
  constructor(details: readonly FieldIssue[]) {
    super('invalid_request', `The request is invalid: ${details.map((issue) => issue.field).join(', ')}.`, details);
  }
}

export class UnauthorizedError extends HttpError {
  readonly statusCode = 401;
  readonly code = 'unauthorized';
  constructor(message = 'Missing or invalid credentials.') {
    super(message);
  }
}

export class ForbiddenError extends HttpError {
  readonly statusCode = 403;
  readonly code = 'forbidden';
  constructor(message = 'The credential lacks the scope this route needs.') {
    super(message);
  }
}

export class NotFoundError extends HttpError {
  readonly statusCode = 404;
  readonly code = 'not_found';
  constructor(what = 'resource') {
    super(`The ${what} was not found.`);
  }
}

export class ConflictError extends HttpError {
  readonly statusCode = 409;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class PayloadTooLargeError extends HttpError {
  readonly statusCode = 413;
  readonly code = 'payload_too_large';
  constructor(maxBytes: number) {
    super(`The body is larger than ${maxBytes} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  readonly statusCode = 415;
  readonly code = 'unsupported_media_type';
  constructor(expected = 'application/json') {
    super(`The body must be ${expected}.`);
  }
}

export class TooManyRequestsError extends HttpError {
  readonly statusCode = 429;
  readonly code = 'throttled';
  readonly headers: Readonly<Record<string, string>>;
  constructor(retryAfterSeconds: number) {
    super('Too many requests for this tenant; retry later.');
    this.headers = { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) };
  }
}

export class ServiceUnavailableError extends HttpError {
  readonly statusCode = 503;
  readonly code = 'service_unavailable';
  readonly headers: Readonly<Record<string, string>>;
  constructor(retryAfterSeconds = 1, cause?: unknown) {
    super('A dependency is unavailable; retry later.', { cause });
    this.headers = { 'retry-after': String(retryAfterSeconds) };
  }
}
