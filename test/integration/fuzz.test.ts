import { createSign, generateKeyPairSync } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { ALERT_SOURCES, API_ROUTES, routeKey, type ApiRoute, type RouteFunction } from '../../lib/api-routes';
import { handler as admin } from '../../lambdas/admin';
import { handler as alerts } from '../../lambdas/alerts';
import { handler as config } from '../../lambdas/config';
import { handler as health } from '../../lambdas/health';
import { handler as incidents } from '../../lambdas/incidents';
import { handler as runbooks } from '../../lambdas/runbooks';
import { scopedTableClient } from '../../lambdas/shared/access/table-access';
import { RUNBOOK_NAMES } from '../../lambdas/shared/domain/runbook-catalog';
import type { SnsEnvelope } from '../../lambdas/shared/domain/sources';
import { snsStringToSign } from '../../lambdas/shared/domain/sources/sns-message-signature';
import { useSnsTransport } from '../../lambdas/shared/ingest/sns-delivery';
import { useRunbookWorkflowStarter } from '../../lambdas/shared/runbooks/workflow-starter';
import { MAX_RUNBOOK_EXECUTIONS } from '../../lambdas/shared/table/runbook-executions';
import { isTenantId } from '../../lambdas/shared/table/tenant-id';
import { loadFixture } from '../unit/sources/adapter-expectations';
import { apiEvent, seedTenant, testContext, type Handler } from '../support/api-events';
import { report } from '../support/capture-logs';
import {
  anythingBody,
  base64Of,
  bodyOfExactlyOneMiB,
  contentType,
  deepNestingBody,
  headerJunk,
  invalidUtf8Body,
  nearValid,
  oversizedBodies,
  POLLUTION_MARKERS,
  rawStringBody,
  serialize,
  textBody,
  widened,
  withPrototypeKeys,
  type FuzzBody,
  type Json,
} from '../support/fuzz-arbitraries';
import { createIncident, enabledSettings } from '../support/runbooks/runbook-fixtures';
import { createTestTable, deniedDecisions, type TestTable } from '../support/test-table';

/**
 * Fuzzes every body-taking route of the route table (POST, PUT, PATCH) with arbitrary,
 * malformed and near-valid bodies, and holds every answer to API.md: never a 5xx, an error
 * body of the documented shape, no stack trace or internal name, no prototype pollution,
 * nothing stored from a refused request, no policy denial. Seeded: CI runs the same cases.
 */

const TENANT = 'fuzz';
const ABSENT_TENANT = 'fuzz-absent';
const BASE_SEED = 0x5eed_2024;
/** Exploratory runs only (`AW_FUZZ_SCALE=10 AW_FUZZ_SEED=7 npx jest …`); CI runs the defaults. */
const SCALE = Number(process.env.AW_FUZZ_SCALE ?? '1') || 1;
const SEED_OFFSET = Number(process.env.AW_FUZZ_SEED ?? '0') || 0;

const HANDLERS: Record<RouteFunction, Handler> = { health, alerts, incidents, config, runbooks, admin };
const BODY_ROUTES = API_ROUTES.filter((route) => route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH');
const SOURCE_ROUTE = 'POST /v1/alerts/{source}';

// Our own key pair stands in for SNS's signing certificate, as in source-routes.test.ts.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const SNS_CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-fuzz.pem';
const SNS_TOPIC = 'arn:aws:sns:us-east-1:123456789012:alert-whisperer';

let table: TestTable;

// ---------------------------------------------------------------------------------------
// Valid bodies, per route; a route added later without an entry here is fuzzed from `{}`.

const INSTANCE_ID = 'i-0123456789abcdef0';
const FRESH_TENANT_TOKEN = 'fz-fresh';
const GENERIC_ALERT: Json = { asset_name: 'server-prod-01', signature: 'disk_full', severity: 'critical', message: 'Disk usage 95%' };
const FULL_ALERT: Json = {
  asset_name: 'db-07',
  signature: 'replication_lag',
  severity: 'high',
  message: 'Lag 40 s',
  status: 'firing',
  source: 'zabbix',
  dedup_key: 'db-07/lag',
  occurred_at: '2024-01-15T10:00:00Z',
  labels: { env: 'prod', team: 'dba' },
};

function signedSns(message: string, extra: Partial<SnsEnvelope> = {}): SnsEnvelope {
  const unsigned: SnsEnvelope = {
    Type: 'Notification',
    MessageId: 'fuzz-message',
    TopicArn: SNS_TOPIC,
    Message: message,
    Timestamp: '2024-01-15T10:00:00.456Z',
    SignatureVersion: '2',
    Signature: '',
    SigningCertURL: SNS_CERT_URL,
    ...extra,
  };
  return { ...unsigned, Signature: createSign('RSA-SHA256').update(snsStringToSign(unsigned) ?? '', 'utf8').sign(privateKey, 'base64') };
}

const NATIVE_FIXTURES: Record<(typeof ALERT_SOURCES)[number], Json> = {
  alertmanager: loadFixture<Json>('alertmanager-mixed-group.json'),
  grafana: loadFixture<Json>('grafana-group.json'),
  pagerduty: loadFixture<Json>('pagerduty-trigger.json'),
  datadog: loadFixture<Json>('datadog-default.json'),
  cloudwatch: loadFixture<Json>('cloudwatch-alarm.json'),
};
const nativeBody = (source: string): Json => {
  if (source === 'cloudwatch') return signedSns(JSON.stringify(NATIVE_FIXTURES.cloudwatch)) as unknown as Json;
  return (ALERT_SOURCES as readonly string[]).includes(source) ? NATIVE_FIXTURES[source as keyof typeof NATIVE_FIXTURES] : NATIVE_FIXTURES.alertmanager;
};

const bodies = (...values: Json[]): Json[] => values;
const VALID_BODIES: Record<string, (params: Record<string, string>) => Json[]> = {
  'POST /v1/alerts': () => bodies(GENERIC_ALERT, FULL_ALERT, { alerts: [GENERIC_ALERT, FULL_ALERT] }),
  [SOURCE_ROUTE]: (params) => bodies(nativeBody(params.source ?? '')),
  'PATCH /v1/incidents/{incident_id}': () => bodies({ status: 'in_progress', note: 'on it' }, { status: 'escalated' }, { status: 'resolved', note: 'fixed' }),
  'POST /v1/incidents/{incident_id}/runbooks': () =>
    bodies(
      { runbook: 'AW-DiskCleanup', instance_id: INSTANCE_ID, parameters: { retentionDays: 7 } },
      { runbook: 'AW-RestartService', instance_id: INSTANCE_ID, parameters: { serviceName: 'nginx' } },
      { runbook: 'AWS-RunPatchBaseline', instance_id: 'mi-0123456789abcdef0', parameters: { Operation: 'Scan', RebootOption: 'NoReboot' } },
      { runbook: 'AW-CollectDiagnostics', instance_id: 'i-01234567' },
    ),
  'PUT /v1/config/correlation': () => bodies({ time_window_minutes: 30, auto_correlate: true, critical_assets: ['db-07', 'web-01'] }),
  'PUT /v1/config/webhook-security': () => bodies({ hmac_enabled: false, rotate_secret: false }, { hmac_enabled: true, rotate_secret: true }),
  'PUT /v1/config/aws-integration': () => bodies(baselineIntegration(), { enabled: false }),
  'POST /admin/v1/tenants': () => bodies({ id: FRESH_TENANT_TOKEN, name: 'Fuzz Co' }),
  'POST /admin/v1/tenants/{tenant_id}/api-keys': () => bodies({ name: 'ci', scopes: ['alerts:write', 'incidents:read'] }, {}),
  'PUT /admin/v1/tenants/{tenant_id}/limits': () => bodies({ requests_per_second: 100, burst: 200 }),
};
const validBodies = (route: ApiRoute, params: Record<string, string>): Json[] => VALID_BODIES[routeKey(route)]?.(params) ?? [{}];
const baselineIntegration = (): Json => enabledSettings([...RUNBOOK_NAMES]);

// ---------------------------------------------------------------------------------------
// Path parameters: plausible values, ids of items that exist and that do not, junk.

/** Resolved when the case runs: an incident id must name an incident as it stands then. */
type ParamValue = { readonly kind: 'literal'; readonly value: string } | { readonly kind: 'open-incident' } | { readonly kind: 'resolved-incident' };
const literal = (value: string): ParamValue => ({ kind: 'literal', value });
const missingUlid = fc.stringMatching(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/).map(literal);
const junkParam = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '..', '../x', '%2e%2e', 'TENANT#fuzz', 'a*', 'null', ' '),
);

function paramArbitrary(name: string): fc.Arbitrary<ParamValue> {
  if (name === 'source') {
    return fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...ALERT_SOURCES).map(literal) },
      { weight: 1, arbitrary: fc.constantFrom('ALERTMANAGER', 'zabbix', 'alertmanager ', 'valueOf').map(literal) },
      { weight: 1, arbitrary: junkParam.map(literal) },
    );
  }
  if (name === 'tenant_id') {
    return fc.oneof(
      { weight: 5, arbitrary: fc.constant(literal(TENANT)) },
      { weight: 1, arbitrary: fc.constantFrom(ABSENT_TENANT, 'FUZZ', 'fuzz#x', 'f', '-fuzz').map(literal) },
      { weight: 1, arbitrary: junkParam.map(literal) },
    );
  }
  if (name === 'key_id') return fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/).map(literal), junkParam.map(literal));
  if (name.endsWith('_id')) {
    return fc.oneof(
      { weight: 5, arbitrary: fc.constant<ParamValue>({ kind: 'open-incident' }) },
      { weight: 1, arbitrary: fc.constant<ParamValue>({ kind: 'resolved-incident' }) },
      { weight: 2, arbitrary: missingUlid },
      { weight: 1, arbitrary: junkParam.map(literal) },
    );
  }
  return fc.oneof(junkParam.map(literal), missingUlid);
}

const paramNames = (route: ApiRoute): string[] => [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);

function paramsArbitrary(route: ApiRoute): fc.Arbitrary<Record<string, ParamValue>> {
  return fc.record(Object.fromEntries(paramNames(route).map((name) => [name, paramArbitrary(name)])));
}

/** The path as the arbitrary names it, for choosing a valid body (sources) before the case runs. */
const plainParams = (params: Record<string, ParamValue>): Record<string, string> =>
  Object.fromEntries(Object.entries(params).map(([name, value]) => [name, value.kind === 'literal' ? value.value : value.kind]));

// ---------------------------------------------------------------------------------------
// Families of cases.

interface FuzzCase extends FuzzBody {
  readonly params: Record<string, ParamValue>;
  readonly headers: Record<string, string>;
  /** What the answer must be, beyond the properties every answer has. */
  readonly expect?: 'refused-size' | 'refused-type' | 'refused-utf8' | 'refused-shape' | 'not-size';
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const MEDIA_TYPE_OK = (route: ApiRoute, type: string | null) => {
  const media = type?.split(';')[0].trim().toLowerCase() ?? '';
  return media === 'application/json' || /^application\/[\w.+-]+\+json$/.test(media) || (routeKey(route) === SOURCE_ROUTE && media === 'text/plain');
};

interface Family {
  readonly name: string;
  readonly numRuns: number;
  /** Count the tenant's items around every case, not only around refused ones that wrote. */
  readonly countEveryCase?: boolean;
  readonly only?: (route: ApiRoute) => boolean;
  readonly cases: (route: ApiRoute) => fc.Arbitrary<FuzzCase>;
}

/** Cases whose body is drawn from one of the route's valid bodies for the drawn path; `expect` adds an oracle. */
function withBody<B extends FuzzBody>(
  route: ApiRoute,
  body: (valid: Json, params: Record<string, string>) => fc.Arbitrary<B>,
  expect: (drawn: B) => FuzzCase['expect'] = () => undefined,
): fc.Arbitrary<FuzzCase> {
  return paramsArbitrary(route).chain((params) => {
    const plain = plainParams(params);
    return fc
      .constantFrom(...validBodies(route, plain))
      .chain((valid) => body(valid, plain).map((drawn): FuzzCase => ({ ...drawn, params, headers: JSON_HEADERS, expect: expect(drawn) })));
  });
}

const oversizedByRoute = new Map<string, FuzzBody[]>();
function oversizedFor(route: ApiRoute, valid: Json): FuzzBody[] {
  const key = `${routeKey(route)} ${JSON.stringify(valid).slice(0, 200)}`;
  if (!oversizedByRoute.has(key)) oversizedByRoute.set(key, oversizedBodies(serialize(valid)));
  return oversizedByRoute.get(key) ?? [];
}

/** A native source body with one mutation; CloudWatch alarms are mutated inside the SNS envelope, which is then signed. */
function nativeCase(): fc.Arbitrary<FuzzCase> {
  const source = fc.constantFrom(...ALERT_SOURCES);
  return fc.tuple(source, fc.nat(3)).chain(([name, style]) => {
    const params: Record<string, ParamValue> = { source: literal(name) };
    const fixture = NATIVE_FIXTURES[name];
    const mutated = style === 0 ? withPrototypeKeys(fixture) : style === 1 ? widened(fixture) : nearValid(fixture);
    if (name !== 'cloudwatch') return mutated.map((body): FuzzCase => ({ ...body, params, headers: JSON_HEADERS }));
    // CloudWatch: the alarm mutated and signed, the envelope mutated and (re)signed, or mutated after signing.
    const envelope = signedSns(JSON.stringify(fixture)) as unknown as Json;
    return fc
      .oneof(
        mutated.map((alarm) => textBody(JSON.stringify(signedSns(alarm.body ?? '')))),
        nearValid(envelope).map((body) => {
          try {
            const parsed = JSON.parse(body.body ?? 'null') as unknown;
            const resigned = typeof parsed === 'object' && parsed !== null ? signedSns(String((parsed as { Message?: unknown }).Message ?? ''), parsed as Partial<SnsEnvelope>) : parsed;
            return textBody(JSON.stringify(resigned));
          } catch {
            return body; // Too deep to re-sign here: sent as mutated.
          }
        }),
        nearValid(envelope),
        fc.constant(textBody(JSON.stringify(signedSns('', { Type: 'SubscriptionConfirmation', Token: 't', SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${SNS_TOPIC}&Token=t` })))),
      )
      .chain((body) => fc.constantFrom('text/plain; charset=UTF-8', 'application/json').map((type): FuzzCase => ({ ...body, params, headers: { 'content-type': type } })));
  });
}

const FAMILIES: readonly Family[] = [
  { name: 'json-anything', numRuns: 40, cases: (route) => withBody(route, () => anythingBody) },
  { name: 'raw-strings', numRuns: 30, cases: (route) => withBody(route, (valid) => rawStringBody(serialize(valid))) },
  { name: 'invalid-utf8', numRuns: 30, cases: (route) => withBody(route, (valid) => invalidUtf8Body(serialize(valid)), () => 'refused-utf8') },
  {
    name: 'deep-nesting',
    numRuns: 20,
    cases: (route) => withBody(route, deepNestingBody, (drawn) => (drawn.rootArray ? 'refused-shape' : undefined)),
  },
  { name: 'oversized', numRuns: 20, cases: (route) => withBody(route, (valid) => fc.constantFrom(...oversizedFor(route, valid)), () => 'refused-size') },
  { name: 'exactly-1-MiB', numRuns: 2, cases: (route) => withBody(route, (valid) => fc.constant(bodyOfExactlyOneMiB(serialize(valid))), () => 'not-size') },
  { name: 'prototype-keys', numRuns: 30, cases: (route) => withBody(route, (valid) => withPrototypeKeys(valid)) },
  {
    name: 'near-valid',
    numRuns: 60,
    cases: (route) =>
      withBody(route, (valid) =>
        fc.oneof(
          { weight: 8, arbitrary: nearValid(valid) },
          { weight: 1, arbitrary: fc.constantFrom(textBody(serialize(valid)), base64Of(serialize(valid))) },
        ),
      ),
  },
  { name: 'size-limits', numRuns: 30, cases: (route) => withBody(route, (valid) => widened(valid)) },
  { name: 'native-formats', numRuns: 100, only: (route) => routeKey(route) === SOURCE_ROUTE, cases: () => nativeCase() },
  {
    name: 'content-type-and-headers',
    numRuns: 30,
    cases: (route) =>
      fc.tuple(withBody(route, (valid) => fc.oneof(fc.constant(textBody(serialize(valid))), nearValid(valid))), contentType, headerJunk).map(
        ([drawn, type, junk]): FuzzCase => ({
          ...drawn,
          headers: { ...junk, ...(type === null ? {} : { [type.length % 2 ? 'Content-Type' : 'content-type']: type }) },
          expect: MEDIA_TYPE_OK(route, type) ? undefined : 'refused-type',
        }),
      ),
  },
];

/** The cross-check of the inferred "nothing stored": cases of every family, counted around each one. */
const STORAGE_SAMPLE: Family = {
  name: 'storage-sample',
  numRuns: 10,
  countEveryCase: true,
  cases: (route) => fc.oneof(...FAMILIES.filter((family) => family.only?.(route) ?? true).map((family) => family.cases(route))),
};
const ALL_FAMILIES: readonly Family[] = [...FAMILIES, STORAGE_SAMPLE];

// ---------------------------------------------------------------------------------------
// Running a case.

const caseCounts = new Map<string, number>();
const countCase = (family: string) => caseCounts.set(family, (caseCounts.get(family) ?? 0) + 1);

const openIncidents: string[] = [];
const resolvedIncidents: string[] = [];
const executionsStarted = new Map<string, number>();
let freshTenants = 0;

async function resolveParams(params: Record<string, ParamValue>): Promise<Record<string, string>> {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (value.kind === 'literal') resolved[name] = value.value;
    else if (value.kind === 'resolved-incident') resolved[name] = resolvedIncidents[0];
    else {
      if (openIncidents.length === 0) {
        openIncidents.push(await createIncident(TENANT));
        knownCounts.delete(TENANT);
      }
      resolved[name] = openIncidents[0];
    }
  }
  return resolved;
}

/** Items in a tenant's partition, read consistently, every page. */
async function partitionCount(tenantId: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await scopedTableClient(tenantId).send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}` },
        Select: 'COUNT',
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}

/** Counts as last read; cleared whenever the test itself writes (fixtures, config restores). */
const knownCounts = new Map<string, number>();
async function countOf(tenantId: string): Promise<number> {
  const known = knownCounts.get(tenantId);
  if (known !== undefined) return known;
  const counted = await partitionCount(tenantId);
  knownCounts.set(tenantId, counted);
  return counted;
}

/** The partitions a request could write: the caller's, the path's tenant, the tenant a create names. */
function watchedTenants(route: ApiRoute, params: Record<string, string>, requestText: string): string[] {
  const watched = new Set<string>(route.auth === 'api-key' || params.tenant_id === TENANT ? [TENANT] : []);
  if (isTenantId(params.tenant_id)) watched.add(params.tenant_id);
  if (routeKey(route) === 'POST /admin/v1/tenants') {
    try {
      const parsed = JSON.parse(requestText) as unknown;
      const id = typeof parsed === 'object' && parsed !== null ? (parsed as { id?: unknown }).id : undefined;
      if (isTenantId(id)) watched.add(id);
    } catch {
      // Not JSON: the create is refused before any id is read.
    }
  }
  return [...watched];
}

/** Table actions that store nothing; any other action a request sends counts as a write. */
const READ_ACTIONS = new Set(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:Scan', 'dynamodb:DescribeTable']);
const TENANT_PREFIX = 'TENANT#';

const STACK_TRACE = /\bat .+\(.+:\d+:\d+\)/;
const INTERNAL_NAMES = ['.ts:', 'node_modules', 'TENANT#', 'ALERT#', 'INCIDENT#', 'CORR#', 'GSI1', 'GSI2', 'dynamodb', 'DynamoDB', 'ConditionalCheckFailed', 'TransactionCanceled', 'AccessDenied', 'zod'];
/** Fields of 2xx answers that hold random material. */
const RANDOM_FIELDS = new Set(['key', 'secret', 'external_id']);
const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

function prototypePollution(): string | undefined {
  const names = Object.getOwnPropertyNames(Object.prototype).sort();
  if (names.join() !== prototypeNames.join()) return `Object.prototype now has [${names.filter((name) => !prototypeNames.includes(name)).join(', ')}]`;
  const probe: Record<string, unknown> = {};
  const polluted = POLLUTION_MARKERS.filter((marker) => probe[marker] !== undefined);
  return polluted.length ? `({}).${polluted.join(', ({}).')} is set` : undefined;
}

/** Everything wrong with one answer; empty when it keeps every property. */
function violations(fuzzCase: FuzzCase, result: APIGatewayProxyResult, requestText: string): string[] {
  const problems: string[] = [];
  const status = result.statusCode;
  if (!Number.isInteger(status) || status < 200 || status >= 500) problems.push(`status ${status}`);
  let parsed: unknown;
  if (result.body) {
    try {
      parsed = JSON.parse(result.body);
    } catch {
      problems.push('body is not JSON');
    }
  } else if (status !== 204) problems.push('empty body');
  if (status >= 400) {
    const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    if (typeof error?.code !== 'string' || !SNAKE_CASE.test(error.code)) problems.push(`error.code ${JSON.stringify(error?.code)} is not snake_case`);
    if (typeof error?.message !== 'string' || error.message === '') problems.push('error.message is not a sentence');
    if (error?.details !== undefined) {
      const wellFormed = Array.isArray(error.details) && error.details.every((detail: unknown) => typeof (detail as { field?: unknown })?.field === 'string' && typeof (detail as { message?: unknown })?.message === 'string');
      if (!wellFormed) problems.push('error.details is not [{field, message}]');
    }
  }
  // What a caller sent may come back (a field name, a label): only what the caller did not send counts as a leak.
  // Random material (an API key, a webhook secret, an External ID) may spell anything: it is left out.
  const body = parsed === undefined ? (result.body ?? '') : JSON.stringify(parsed, (name, value: unknown) => (RANDOM_FIELDS.has(name) ? '(random)' : value));
  const trace = STACK_TRACE.exec(body);
  if (trace && !requestText.includes(trace[0])) problems.push(`stack trace: ${trace[0]}`);
  for (const name of INTERNAL_NAMES) if (body.includes(name) && !requestText.includes(name)) problems.push(`internal name ${name}`);

  if (fuzzCase.expect === 'refused-size' && status !== 413) problems.push(`expected 413 for a body over 1 MiB, got ${status}`);
  if (fuzzCase.expect === 'not-size' && status === 413) problems.push('a body of exactly 1 MiB was refused as too large');
  if (fuzzCase.expect === 'refused-type' && status !== 415 && status !== 413) problems.push(`expected 415 for this content type, got ${status}`);
  if (fuzzCase.expect === 'refused-utf8' && status !== 400) problems.push(`expected 400 for invalid UTF-8, got ${status}`);
  if (fuzzCase.expect === 'refused-shape' && status !== 400 && status !== 404) problems.push(`expected 400 (or 404) for an array body, got ${status}`);

  const pollution = prototypePollution();
  if (pollution) problems.push(pollution);
  return problems;
}

/** After an accepted config change, put back what the other cases rely on: HMAC off (else every alert is a 401), runbooks allowed. */
async function restoreAfter(route: ApiRoute, result: APIGatewayProxyResult, params: Record<string, string>): Promise<void> {
  const key = routeKey(route);
  const put = async (path: string, body: Json) => {
    const answer = await config(apiEvent('PUT', path, { tenantId: TENANT, rawBody: JSON.stringify(body) }), testContext);
    if (answer.statusCode !== 200) throw new Error(`restoring ${path} answered ${answer.statusCode} ${answer.body}`);
  };
  if (key === 'PUT /v1/config/webhook-security') await put('/v1/config/webhook-security', { hmac_enabled: false });
  if (key === 'PUT /v1/config/aws-integration') await put('/v1/config/aws-integration', baselineIntegration());
  // An incident resolved, or full of executions, leaves the pool: the next case gets a fresh one.
  const retire = (incidentId: string, to?: string[]) => {
    const index = openIncidents.indexOf(incidentId);
    if (index >= 0) to?.push(...openIncidents.splice(index, 1));
    if (index >= 0 && !to) openIncidents.splice(index, 1);
  };
  if (key === 'PATCH /v1/incidents/{incident_id}' && (JSON.parse(result.body) as { status?: string }).status === 'resolved') retire(params.incident_id, resolvedIncidents);
  if (key === 'POST /v1/incidents/{incident_id}/runbooks') {
    const started = (executionsStarted.get(params.incident_id) ?? 0) + 1;
    executionsStarted.set(params.incident_id, started);
    if (started >= MAX_RUNBOOK_EXECUTIONS) retire(params.incident_id);
  }
  knownCounts.clear();
}

function requestTextOf(fuzzCase: FuzzCase, body: string | null): string {
  const text = body === null ? '' : fuzzCase.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  return [text, ...Object.values(fuzzCase.params).map((value) => (value.kind === 'literal' ? value.value : '')), ...Object.entries(fuzzCase.headers).flat()].join('\n');
}

const tenantOfPartition = (partition: string): string | undefined => (partition.startsWith(TENANT_PREFIX) ? partition.slice(TENANT_PREFIX.length) : undefined);

/** The partitions the requests since `firstDecision` wrote to (any action but a read counts as a write). */
function writtenPartitions(firstDecision: number): string[] {
  const writes = table.decisions.slice(firstDecision).filter((decision) => !READ_ACTIONS.has(decision.request.action));
  return [...new Set(writes.flatMap((decision) => (decision.request.leadingKeys.length ? decision.request.leadingKeys : [`(${decision.request.action} without a key)`])))];
}

const requestsSince = (firstDecision: number) =>
  table.decisions
    .slice(firstDecision)
    .map((decision) => `${decision.request.action} ${decision.request.leadingKeys.join(',')}`)
    .join('; ');

/** Item counts of `tenants` before and after `send`, read through each tenant's scoped client. */
async function countedAround(tenants: readonly string[], send: () => Promise<APIGatewayProxyResult>) {
  const before = new Map<string, number>();
  for (const tenantId of tenants) before.set(tenantId, await countOf(tenantId));
  const firstDecision = table.decisions.length;
  const result = await send();
  const stored: string[] = [];
  for (const tenantId of tenants) {
    knownCounts.delete(tenantId);
    const after = await countOf(tenantId);
    if (after !== before.get(tenantId)) stored.push(`${after - (before.get(tenantId) ?? 0)} item(s) for ${tenantId}`);
  }
  return { result, stored, firstDecision };
}

/**
 * Sends one case and holds the answer to every property. Nothing stored from a refused
 * request: a refused request that sent no write to the table stored nothing (every table
 * client records its requests); one that did is held to its partitions' item counts, read
 * before it when known, else by sending it again between two counts. `countEveryCase`
 * counts around every case instead, whatever it sent: the sampled cross-check.
 */
async function runCase(route: ApiRoute, family: string, fuzzCase: FuzzCase, countEveryCase = false): Promise<void> {
  countCase(family);
  const pathParameters = await resolveParams(fuzzCase.params);
  // Same length as the token, so a body's size (1 MiB exactly, say) stays what the generator made.
  const fresh = () => `fz-${(++freshTenants).toString(36).padStart(FRESH_TENANT_TOKEN.length - 3, '0')}`;
  const body = fuzzCase.body !== null && !fuzzCase.isBase64Encoded ? fuzzCase.body.split(FRESH_TENANT_TOKEN).join(fresh()) : fuzzCase.body;
  const event: APIGatewayProxyEvent = {
    ...apiEvent(route.method, route.path, route.auth === 'admin' ? { admin: 'fuzzer', pathParameters } : { tenantId: TENANT, pathParameters }),
    headers: fuzzCase.headers,
    body,
    isBase64Encoded: fuzzCase.isBase64Encoded,
  };
  const send = () => HANDLERS[route.fn](event, testContext);
  const requestText = requestTextOf(fuzzCase, body);
  const watched = watchedTenants(route, pathParameters, requestText);
  const known = new Map(watched.flatMap((tenantId) => (knownCounts.has(tenantId) ? [[tenantId, knownCounts.get(tenantId) ?? 0] as const] : [])));

  const counted = countEveryCase ? await countedAround(watched, send) : undefined;
  const firstDecision = counted?.firstDecision ?? table.decisions.length;
  const result = counted?.result ?? (await send());
  const problems = violations(fuzzCase, result, requestText);
  const written = writtenPartitions(firstDecision);
  for (const partition of written) knownCounts.delete(tenantOfPartition(partition) ?? partition);

  if (result.statusCode >= 400) {
    if (counted?.stored.length) problems.push(`refused with ${result.statusCode} but stored ${counted.stored.join(', ')} (requests: ${requestsSince(firstDecision)})`);
    const writtenTenants = written.map(tenantOfPartition);
    if (!counted && written.length > 0) {
      if (writtenTenants.some((tenantId) => tenantId === undefined)) problems.push(`refused with ${result.statusCode} after writing to ${written.join(', ')}`);
      const tenants = writtenTenants.filter((tenantId): tenantId is string => tenantId !== undefined);
      if (tenants.every((tenantId) => known.has(tenantId))) {
        for (const tenantId of tenants) {
          const after = await countOf(tenantId);
          if (after !== known.get(tenantId)) problems.push(`refused with ${result.statusCode} but stored ${after - (known.get(tenantId) ?? 0)} item(s) for ${tenantId} (requests: ${requestsSince(firstDecision)})`);
        }
      } else {
        const again = await countedAround(tenants, send);
        if (again.result.statusCode >= 500) problems.push(`sent again, answered ${again.result.statusCode}`);
        if (again.result.statusCode >= 400 && again.stored.length) problems.push(`sent again, refused with ${again.result.statusCode} but stored ${again.stored.join(', ')} (requests: ${requestsSince(again.firstDecision)})`);
      }
    }
  }
  if (problems.length) {
    throw new Error(`${routeKey(route)} ${JSON.stringify(pathParameters)} → ${result.statusCode} ${(result.body ?? '').slice(0, 500)}\n  ${problems.join('\n  ')}`);
  }
  if (result.statusCode < 300) await restoreAfter(route, result, pathParameters);
}

/** FNV-1a: one fixed seed per route and family, so adding a family does not change the others' cases. */
function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (const char of text) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return (BASE_SEED ^ hash ^ SEED_OFFSET) | 0;
}

// ---------------------------------------------------------------------------------------

beforeAll(async () => {
  table = await createTestTable();
  await seedTenant(TENANT);
  useSnsTransport({
    fetchCertificate: async () => publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    confirmSubscription: async () => undefined,
  });
  useRunbookWorkflowStarter({ start: async () => undefined });
  const enabled = await config(apiEvent('PUT', '/v1/config/aws-integration', { tenantId: TENANT, body: baselineIntegration() }), testContext);
  expect(enabled.statusCode).toBe(200);
  for (let index = 0; index < 3; index += 1) openIncidents.push(await createIncident(TENANT));
  const resolved = await createIncident(TENANT);
  const patched = await incidents(apiEvent('PATCH', '/v1/incidents/{incident_id}', { tenantId: TENANT, pathParameters: { incident_id: resolved }, body: { status: 'resolved' } }), testContext);
  expect(patched.statusCode).toBe(200);
  resolvedIncidents.push(resolved);
});

afterEach(() => {
  expect(deniedDecisions(table)).toEqual([]);
  expect(prototypePollution()).toBeUndefined();
});

it('fuzzes at least one body-taking route, and finds every one a handler', () => {
  expect(BODY_ROUTES.length).toBeGreaterThan(0);
  for (const route of BODY_ROUTES) expect(typeof HANDLERS[route.fn]).toBe('function');
});

describe.each(BODY_ROUTES.map((route) => [routeKey(route), route] as const))('%s', (key, route) => {
  const families = ALL_FAMILIES.filter((family) => family.only?.(route) ?? true);
  it.each(families.map((family) => [family.name, family] as const))('keeps every property under %s bodies', async (name, family) => {
    await fc.assert(
      fc.asyncProperty(family.cases(route), (fuzzCase) => runCase(route, name, fuzzCase, family.countEveryCase)),
      { seed: seedOf(`${key} ${name}`), numRuns: Math.ceil(family.numRuns * SCALE) },
    );
  }, 120_000);
});

it('ran at least 1,000 cases', () => {
  const total = [...caseCounts.values()].reduce((sum, count) => sum + count, 0);
  report(`fuzz cases: ${total} (${[...caseCounts.entries()].map(([family, count]) => `${family}=${count}`).join(' ')})`);
  expect(total).toBeGreaterThanOrEqual(1_000);
});
