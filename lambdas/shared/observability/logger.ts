import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type middy from '@middy/core';
import { redactedEvent } from './redacted-event';

/**
 * One logger per function. Events are never logged whole: they carry API keys (headers,
 * `?api_key=`) and webhook signatures. Log only what was chosen field by field.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'alert-whisperer' });

/**
 * Lambda context on every line, keys reset after each invocation, and the event logged only
 * redacted: Powertools' own event logging is switched off here whatever the environment says,
 * because it would print credentials verbatim.
 */
export function requestLogging<E, R>(target: Logger = logger): Array<middy.MiddlewareObj<E, R>> {
  return [
    injectLambdaContext(target, { resetKeys: true, logEvent: false }),
    {
      before: (request) => {
        if (target.shouldLogEvent()) target.info('Lambda invocation event', { event: redactedEvent(request.event) });
      },
    },
  ];
}
