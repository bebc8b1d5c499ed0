/**
 * The errors the runbook workflow's tasks throw, by name: Step Functions matches `Retry` and
 * `Catch` on the name (the Node.js Lambda runtime reports `error.name` as the error type),
 * so each name is a literal, safe from a minifier renaming classes. Their messages are
 * written for the tenant: the record step copies them into the execution's `error`.
 */

/** The exact reason API.md and DESIGN.md give for an AssumeRole the client account refused. */
export const ASSUME_ROLE_DENIED_REASON = 'AssumeRole failed - check External ID and trust policy';

export const THROTTLED = 'Throttled';

export class Throttled extends Error {
  override readonly name = THROTTLED;
  constructor(operation: string, cause?: unknown) {
    super(`${operation} was throttled by AWS.`, { cause });
  }
}

export class IntegrationDisabled extends Error {
  override readonly name = 'IntegrationDisabled';
  constructor() {
    super('The AWS integration is not enabled (or not complete) for this tenant.');
  }
}

export class RunbookNotAllowed extends Error {
  override readonly name = 'RunbookNotAllowed';
  constructor(runbook: string) {
    super(`The runbook ${runbook} is not on this tenant's allow-list.`);
  }
}

export class AssumeRoleFailed extends Error {
  override readonly name = 'AssumeRoleFailed';
  constructor(reason: string, cause?: unknown) {
    super(reason, { cause });
  }
}

/** An SSM call in the client account was refused or failed (its own error name and message: the client's account, the client's business). */
export class ClientCommandFailed extends Error {
  override readonly name = 'ClientCommandFailed';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

/** The state handed to a task does not have the shape the definition promises: a bug, not the tenant's doing. */
export class InvalidTaskInput extends Error {
  override readonly name = 'InvalidTaskInput';
  constructor(detail: string) {
    super(`Invalid task input: ${detail}`);
  }
}

/** Errors whose message is written for the tenant; any other error is recorded with a fixed sentence. */
export const TENANT_FACING_TASK_ERRORS: ReadonlySet<string> = new Set([
  THROTTLED,
  'IntegrationDisabled',
  'RunbookNotAllowed',
  'AssumeRoleFailed',
  'ClientCommandFailed',
]);

/** SDK error names meaning "slow down": STS `Throttling`, SSM `ThrottlingException`/`TooManyUpdates`, DynamoDB's. */
const THROTTLING_ERROR_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyUpdates',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
]);

export function isThrottling(error: unknown): boolean {
  return error instanceof Error && THROTTLING_ERROR_NAMES.has(error.name);
}
