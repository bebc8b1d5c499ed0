import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { createTable } from '../bin/local/dynamodb-local';
import { startLocalServer, type LocalServer } from '../bin/local/local-server';
import { LOCAL_REGION } from '../lambdas/shared/access/local-policy-enforcement';
import type { AlertInputBody } from '../lambdas/shared/domain/alert-input';
import { fingerprintOf } from '../lambdas/shared/domain/fingerprint';
import { withConcurrency } from './workload';

/**
 * Alerts per second through the API as `npm start` serves it (HTTP → API key authorizer →
 * throttle → alerts handler → local IAM enforcement → DynamoDB Local), against the floor any
 * correlating design must pay: per alert one PutItem (the alert row) and one UpdateItem
 * (ADD to the incident's counter), sent straight to the SAME DynamoDB Local by a plain
 * client. Same alerts, same concurrency, same process, both warmed first, measured in
 * alternating rounds so that a change of load on the machine falls on both.
 */

export interface ThroughputResult {
  readonly concurrency: number;
  readonly rounds: number;
  readonly alertsPerPath: number;
  readonly httpAlertsPerSecond: number;
  readonly rawPutUpdateAlertsPerSecond: number;
  readonly rawPutItemsPerSecond: number;
  /**
   * The DynamoDB requests this design sends for a repeat alert (the authorizer's consistent
   * key read, the incident update, the alert row), sent raw: what the design costs DynamoDB
   * Local with no HTTP, authorizer, handler or enforcement around it.
   */
  readonly rawDesignAlertsPerSecond: number;
  readonly ratio: number;
  readonly httpFailures: number;
  readonly tenantLimits: { readonly requests_per_second: number; readonly burst: number };
}

export interface ThroughputOptions {
  readonly endpoint: string;
  readonly warmup: readonly AlertInputBody[];
  /** Split into `rounds` equal slices; each path sends every slice. */
  readonly timed: readonly AlertInputBody[];
  readonly rounds: number;
  readonly concurrency: number;
}

/** The highest limits the admin route accepts: the bench measures the path, not the default 50 req/s throttle. */
const BENCH_LIMITS = { requests_per_second: 10_000, burst: 20_000 } as const;

async function adminRequest(server: LocalServer, token: string, method: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

async function benchTenant(server: LocalServer, tenantId: string): Promise<string> {
  const token = await server.adminToken();
  const created = (await adminRequest(server, token, 'POST', '/admin/v1/tenants', { id: tenantId, name: 'Bench tenant' })) as { api_key: { key: string } };
  // Before the tenant's first request: the throttle reads limits when it first sees a tenant.
  await adminRequest(server, token, 'PUT', `/admin/v1/tenants/${tenantId}/limits`, BENCH_LIMITS);
  return created.api_key.key;
}

/** The minimal alert row: the alert's own fields under its key, no index keys (a design may not need any). */
function rawAlertItem(tenantId: string, alert: AlertInputBody, id: string) {
  const at = new Date().toISOString();
  return {
    PK: { S: `TENANT#${tenantId}` },
    SK: { S: `ALERT#${id}` },
    id: { S: id },
    asset_name: { S: alert.asset_name },
    signature: { S: alert.signature },
    severity: { S: alert.severity },
    status: { S: alert.status ?? 'firing' },
    source: { S: alert.source ?? 'generic' },
    message: { S: alert.message ?? '' },
    received_at: { S: at },
    labels: { M: Object.fromEntries(Object.entries(alert.labels ?? {}).map(([name, value]) => [name, { S: value }])) },
  };
}

async function timeIt(run: () => Promise<number>): Promise<{ seconds: number; failures: number }> {
  const started = process.hrtime.bigint();
  const failures = await run();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, failures };
}

export async function measureThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const httpTable = `bench-http-${randomUUID().slice(0, 8)}`;
  const rawTable = `bench-raw-${randomUUID().slice(0, 8)}`;
  await createTable(options.endpoint, rawTable);
  const server = await startLocalServer({ port: 0, dynamoDbEndpoint: options.endpoint, tableName: httpTable });
  const raw = new DynamoDBClient({
    endpoint: options.endpoint,
    region: LOCAL_REGION,
    // DynamoDB Local takes only letters and digits in key ids.
    credentials: { accessKeyId: 'benchraw', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
  try {
    const tenantId = 'bench-http';
    const apiKey = await benchTenant(server, tenantId);

    const postAll = (alerts: readonly AlertInputBody[]) => async () => {
      let failures = 0;
      await withConcurrency(alerts, options.concurrency, async (alert) => {
        const response = await fetch(`${server.url}/v1/alerts`, {
          method: 'POST',
          headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
          body: JSON.stringify(alert),
        });
        await response.arrayBuffer();
        if (response.status !== 202) failures += 1;
      });
      return failures;
    };
    const incidentKey = (alert: AlertInputBody) => ({
      PK: { S: `TENANT#${tenantId}` },
      SK: { S: `INCIDENT#${fingerprintOf({ asset_name: alert.asset_name, signature: alert.signature, source: alert.source ?? 'generic' })}` },
    });
    const incidentUpdate = (alert: AlertInputBody) => ({
      TableName: rawTable,
      Key: incidentKey(alert),
      UpdateExpression: 'ADD alert_count :one SET last_seen = :now',
      ExpressionAttributeValues: { ':one': { N: '1' }, ':now': { S: new Date().toISOString() } },
    });
    const putAndUpdateAll = (alerts: readonly AlertInputBody[], withUpdate: boolean) => async () => {
      await withConcurrency(alerts, options.concurrency, async (alert) => {
        const id = randomUUID();
        await raw.send(new PutItemCommand({ TableName: rawTable, Item: rawAlertItem(tenantId, alert, id) }));
        if (!withUpdate) return;
        await raw.send(new UpdateItemCommand(incidentUpdate(alert)));
      });
      return 0;
    };

    const designAll = (alerts: readonly AlertInputBody[]) => async () => {
      await withConcurrency(alerts, options.concurrency, async (alert) => {
        await raw.send(new GetItemCommand({ TableName: rawTable, Key: { PK: { S: `TENANT#${tenantId}` }, SK: { S: 'APIKEY#bench' } }, ConsistentRead: true }));
        await raw.send(new UpdateItemCommand(incidentUpdate(alert)));
        await raw.send(new PutItemCommand({ TableName: rawTable, Item: rawAlertItem(tenantId, alert, randomUUID()), ConditionExpression: 'attribute_not_exists(PK)' }));
      });
      return 0;
    };

    // Warm every path: connections open, policy decisions and config cached, the JIT past its first tiers, Local's tables touched.
    await postAll(options.warmup)();
    await putAndUpdateAll(options.warmup, true)();
    await designAll(options.warmup)();

    const sliceSize = Math.floor(options.timed.length / options.rounds);
    const totals = { http: 0, raw: 0, put: 0, design: 0, httpFailures: 0 };
    const pathRuns = {
      http: postAll,
      raw: (alerts: readonly AlertInputBody[]) => putAndUpdateAll(alerts, true),
      design: designAll,
      put: (alerts: readonly AlertInputBody[]) => putAndUpdateAll(alerts, false),
    };
    for (let round = 0; round < options.rounds; round += 1) {
      const slice = options.timed.slice(round * sliceSize, (round + 1) * sliceSize);
      // Alternate which path goes first, so neither always runs on a freshly compacted Local.
      const order = round % 2 === 0 ? (['http', 'raw', 'design', 'put'] as const) : (['raw', 'design', 'http', 'put'] as const);
      for (const path of order) {
        const { seconds, failures } = await timeIt(pathRuns[path](slice));
        totals[path] += seconds;
        if (path === 'http') totals.httpFailures += failures;
      }
    }
    const alertsPerPath = sliceSize * options.rounds;
    const httpAlertsPerSecond = alertsPerPath / totals.http;
    const rawPutUpdateAlertsPerSecond = alertsPerPath / totals.raw;
    return {
      concurrency: options.concurrency,
      rounds: options.rounds,
      alertsPerPath,
      httpAlertsPerSecond,
      rawPutUpdateAlertsPerSecond,
      rawPutItemsPerSecond: alertsPerPath / totals.put,
      rawDesignAlertsPerSecond: alertsPerPath / totals.design,
      ratio: httpAlertsPerSecond / rawPutUpdateAlertsPerSecond,
      httpFailures: totals.httpFailures,
      tenantLimits: BENCH_LIMITS,
    };
  } finally {
    raw.destroy();
    await server.stop();
  }
}
