import { randomUUID } from 'node:crypto';
import { createTable } from '../bin/local/dynamodb-local';
import { handler as alertsHandler } from '../lambdas/alerts';
import { localTableAccess } from '../lambdas/shared/access/local-policy-enforcement';
import { useTableAccess } from '../lambdas/shared/access/table-access';
import type { AlertInputBody } from '../lambdas/shared/domain/alert-input';
import { apiEvent, seedTenant, testContext } from '../test/support/api-events';
import { percentile } from './workload';

/**
 * The ingest handler's own latency, in this process, no HTTP: the event API Gateway would
 * pass after the authorizer, one alert per request, one request at a time, on a warm
 * handler (clients built, policy decisions and config cached) against DynamoDB Local with
 * the local IAM enforcement `npm start` uses, unmetered.
 */

export interface LatencyResult {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export async function measureLatency(endpoint: string, warmup: readonly AlertInputBody[], timed: readonly AlertInputBody[]): Promise<LatencyResult> {
  const tableName = `bench-latency-${randomUUID().slice(0, 8)}`;
  await createTable(endpoint, tableName);
  useTableAccess(localTableAccess({ tableName, endpoint }));
  const tenantId = 'bench-latency';
  await seedTenant(tenantId);

  const ingest = async (alert: AlertInputBody) => {
    const result = await alertsHandler(apiEvent('POST', '/v1/alerts', { tenantId, body: alert }), testContext);
    if (result.statusCode !== 202) throw new Error(`ingest answered ${result.statusCode}: ${result.body}`);
  };
  for (const alert of warmup) await ingest(alert);

  const durations: number[] = [];
  for (const alert of timed) {
    const started = process.hrtime.bigint();
    await ingest(alert);
    durations.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  durations.sort((a, b) => a - b);
  return {
    samples: durations.length,
    p50Ms: percentile(durations, 0.5),
    p90Ms: percentile(durations, 0.9),
    p99Ms: percentile(durations, 0.99),
    maxMs: durations[durations.length - 1],
  };
}
