import { isTransientDependencyFault } from '../../../lambdas/shared/http/dependency-faults';

describe('which failures are a dependency being down (503), not a bug (500)', () => {
  it.each([
    ['a throttled table', Object.assign(new Error('x'), { name: 'ProvisionedThroughputExceededException' })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a server error status', Object.assign(new Error('x'), { $metadata: { httpStatusCode: 503 } })],
    ['the SDK wrapper around a socket error', new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:8000')],
    ['a wrapped cause', Object.assign(new Error('outer'), { cause: { code: 'ECONNRESET' } })],
    ['a plain object from another realm', { name: 'TimeoutError' }],
  ])('%s', (_case, error) => {
    expect(isTransientDependencyFault(error)).toBe(true);
  });

  it.each([
    ['a programming error', new TypeError('x is undefined')],
    ['access denied', Object.assign(new Error('no'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } })],
    ['a validation error from DynamoDB', Object.assign(new Error('bad'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } })],
    ['a string', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('not %s', (_case, error) => {
    expect(isTransientDependencyFault(error)).toBe(false);
  });
});
