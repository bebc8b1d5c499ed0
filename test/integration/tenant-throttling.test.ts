import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { scopedTableClient } from '../../lambdas/shared/access/table-access';
import type { TenantId } from '../../lambdas/shared/table/tenant-id';
import { startLocalApi, type ApiAnswer, type LocalApi } from '../support/local-api';

/** One tenant's alert storm must not starve the others (per-tenant limits, API.md defaults 50/s burst 200). */
let api: LocalApi;
let token: string;
let noisy: string;
let quiet: string;

beforeAll(async () => {
  api = await startLocalApi();
  token = await api.adminToken();
  noisy = await api.createTenant('noisy');
  quiet = await api.createTenant('quiet');
});
afterAll(() => api.stop());

const alert = { asset_name: 'storm-01', signature: 'flapping', severity: 'low', message: 'again' };

/** One request as it went out: whose it was, and how many answers of its wave had arrived when it was sent. */
interface Sent {
  readonly tenant: 'noisy' | 'quiet';
  readonly answersBeforeSending: number;
  readonly answer: Promise<ApiAnswer>;
}

/**
 * A wave of requests from both tenants, interleaved (noisy, quiet, noisy, quiet…) and all
 * sent before any answer is read: the quiet tenant's requests are in flight together with
 * the storm, not after it.
 */
function interleavedWave(pairs: number): Sent[] {
  let answered = 0;
  const sent: Sent[] = [];
  for (let index = 0; index < pairs; index += 1) {
    for (const tenant of ['noisy', 'quiet'] as const) {
      const answer = api.request('POST', '/v1/alerts', { key: tenant === 'noisy' ? noisy : quiet, body: alert }).finally(() => {
        answered += 1;
      });
      sent.push({ tenant, answersBeforeSending: answered, answer });
    }
  }
  return sent;
}

/** Alerts stored in a tenant's partition, read through its scoped client (an API read would spend the tenant's tokens). */
async function storedAlerts(tenantId: TenantId): Promise<number> {
  const { Items = [] } = await scopedTableClient(tenantId).send(
    new QueryCommand({
      TableName: api.server.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':prefix': 'ALERT#' },
      ConsistentRead: true,
    }),
  );
  return Items.length;
}

it('answers a tenant over its limit 429 with Retry-After while another tenant is served at the same moment', async () => {
  const limits = await api.request('PUT', '/admin/v1/tenants/noisy/limits', { token, body: { requests_per_second: 1, burst: 3 } });
  expect(limits.status).toBe(200);
  expect(limits.body?.limits).toEqual({ requests_per_second: 1, burst: 3 });

  // Up to three waves (a bounded loop): the storm must be refused in one of them, and in
  // every wave, the one that refused the storm included, each quiet request is served.
  const waves: Array<{ storm: ApiAnswer[]; meanwhile: ApiAnswer[] }> = [];
  for (let round = 0; round < 3 && !waves.some(({ storm }) => storm.some((answer) => answer.status === 429)); round += 1) {
    const sent = interleavedWave(10);
    // Every request of the wave went out before its first answer came back: storm and quiet tenant overlap.
    expect(sent.map((request) => request.answersBeforeSending)).toEqual(Array(20).fill(0));
    expect(sent.map((request) => request.tenant)).toEqual(Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? 'noisy' : 'quiet')));
    const answers = await Promise.all(sent.map((request) => request.answer));
    waves.push({
      storm: answers.filter((_, index) => sent[index].tenant === 'noisy'),
      meanwhile: answers.filter((_, index) => sent[index].tenant === 'quiet'),
    });
  }

  const throttledWave = waves.find(({ storm }) => storm.some((answer) => answer.status === 429));
  expect(throttledWave).toBeDefined();
  // The first wave is the storm from a full bucket of 3: at most one token more can have been earned meanwhile.
  const [first] = waves;
  const stormStatuses = first.storm.map((answer) => answer.status).sort();
  expect(stormStatuses.filter((status) => status === 202).length).toBeLessThanOrEqual(4);
  expect(stormStatuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(6);
  for (const { storm, meanwhile } of waves) {
    expect(storm.map((answer) => answer.status).every((status) => status === 202 || status === 429)).toBe(true);
    for (const refused of storm.filter((answer) => answer.status === 429)) {
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.body?.error.code).toBe('throttled');
    }
    expect(meanwhile.map((answer) => answer.status)).toEqual(Array(10).fill(202));
  }

  // A refused request stored nothing; every served one, of either tenant, stored its alert.
  const served = (tenant: 'storm' | 'meanwhile') => waves.flatMap((wave) => wave[tenant]).filter((answer) => answer.status === 202).length;
  expect(await storedAlerts('noisy')).toBe(served('storm'));
  expect(await storedAlerts('quiet')).toBe(10 * waves.length);
});

it('refuses limits outside 1–10000 per second and 1–20000 burst, naming the field', async () => {
  for (const [body, field] of [
    [{ requests_per_second: 0, burst: 10 }, 'requests_per_second'],
    [{ requests_per_second: 10, burst: 20001 }, 'burst'],
    [{ requests_per_second: 10001, burst: 10 }, 'requests_per_second'],
  ] as const) {
    const answer = await api.request('PUT', '/admin/v1/tenants/quiet/limits', { token, body });
    expect(answer.status).toBe(400);
    expect(answer.body?.error.details[0].field).toBe(field);
  }
  expect((await api.request('PUT', '/admin/v1/tenants/nobody/limits', { token, body: { requests_per_second: 1, burst: 1 } })).status).toBe(404);
});

it('gives a new tenant the documented defaults', async () => {
  const listed = await api.request('GET', '/admin/v1/tenants', { token });
  const quietTenant = listed.body?.items.find((tenant: { id: string }) => tenant.id === 'quiet');
  expect(quietTenant.limits).toEqual({ requests_per_second: 50, burst: 200 });
});
