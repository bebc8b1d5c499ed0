import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One logger per function. Events are never logged whole: they carry API keys (headers,
 * `?api_key=`) and webhook signatures. Log only what was chosen field by field.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'alert-whisperer' });
