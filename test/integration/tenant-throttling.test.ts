import { startLocalApi, type LocalApi } from '../support/local-api';

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

it('answers a tenant over its limit 429 with Retry-After while another tenant is served at the same moment', async () => {
  const limits = await api.request('PUT', '/admin/v1/tenants/noisy/limits', { token, body: { requests_per_second: 1, burst: 3 } });
  expect(limits.status).toBe(200);
  expect(limits.body?.limits).toEqual({ requests_per_second: 1, burst: 3 });

  const storm = await Promise.all(Array.from({ length: 10 }, () => api.request('POST', '/v1/alerts', { key: noisy, body: alert })));
  const meanwhile = await Promise.all(Array.from({ length: 10 }, () => api.request('POST', '/v1/alerts', { key: quiet, body: alert })));

  const stormStatuses = storm.map((answer) => answer.status).sort();
  expect(stormStatuses.filter((status) => status === 202).length).toBeLessThanOrEqual(4);
  expect(stormStatuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(6);
  for (const refused of storm.filter((answer) => answer.status === 429)) {
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.body?.error.code).toBe('throttled');
  }
  expect(meanwhile.map((answer) => answer.status)).toEqual(Array(10).fill(202));
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
