import { capturedLogText, structuredLogLines } from '../support/capture-logs';
import { startLocalApi, type LocalApi } from '../support/local-api';

let api: LocalApi;
let token: string;
let acme: string;
let beta: string;

beforeAll(async () => {
  api = await startLocalApi();
  token = await api.adminToken();
  acme = await api.createTenant('acme');
  beta = await api.createTenant('beta');
});
afterAll(() => api.stop());
afterEach(() => expect(api.decisions.filter((decision) => !decision.allowed)).toEqual([]));

const alert = { asset_name: 'server-prod-01', signature: 'disk_full', severity: 'critical', message: 'Disk usage 95%' };

describe('the API as npm start serves it', () => {
  it('answers health without credentials', async () => {
    const answer = await api.request('GET', '/v1/health');
    expect(answer).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('creates tenants with a key shown once, in the documented format, holding every tenant scope', async () => {
    const answer = await api.request('POST', '/admin/v1/tenants', { token, body: { id: 'gamma-1', name: 'Gamma' } });
    expect(answer.status).toBe(201);
    expect(answer.body?.tenant).toMatchObject({ id: 'gamma-1', name: 'Gamma', status: 'active' });
    expect(answer.body?.api_key.key).toMatch(/^awapi_gamma-1_[0-9a-f]{16}[\w-]{32}$/);
    expect(answer.body?.api_key.scopes).toEqual(['alerts:write', 'incidents:read', 'incidents:write', 'runbooks:execute', 'config:write']);
    const again = await api.request('POST', '/admin/v1/tenants', { token, body: { id: 'gamma-1', name: 'Again' } });
    expect(again.status).toBe(409);
    const listed = await api.request('GET', '/admin/v1/tenants', { token });
    expect(listed.body?.items.map((tenant: { id: string }) => tenant.id)).toEqual(expect.arrayContaining(['acme', 'beta', 'gamma-1']));
    expect(listed.text).not.toContain('hash');
  });

  it.each(['Bad#Id*', 'ACME', 'a', 'acme_x', '../etc', 'é-tenant', 'x'.repeat(48), '-lead'])('refuses tenant id %j with 400 naming id', async (id) => {
    const answer = await api.request('POST', '/admin/v1/tenants', { token, body: { id, name: 'x' } });
    expect(answer.status).toBe(400);
    expect(answer.body?.error.details[0].field).toBe('id');
  });

  it('never takes an API key as an admin credential', async () => {
    for (const headers of [{ 'x-api-key': acme }, { authorization: `Bearer ${acme}` }] as Array<Record<string, string>>) {
      const answer = await api.request('POST', '/admin/v1/tenants', { headers, body: { id: 'evil', name: 'x' } });
      expect(answer.status).toBe(401);
    }
  });

  it('refuses an admin token that is forged, from another issuer key, or missing', async () => {
    const [header, payload] = token.split('.');
    for (const bad of [`${header}.${payload}.AAAA`, 'not-a-jwt', '']) {
      const answer = await api.request('GET', '/admin/v1/tenants', { headers: { authorization: `Bearer ${bad}` } });
      expect(answer.status).toBe(401);
    }
  });

  it('keeps tenants apart: lists, ids and filters', async () => {
    const posted = await api.request('POST', '/v1/alerts', { key: acme, body: alert });
    expect(posted.status).toBe(202);
    const alertId = posted.body?.alerts[0].id;

    const mine = await api.request('GET', '/v1/alerts', { key: acme });
    expect(mine.body?.items.map((item: { id: string }) => item.id)).toContain(alertId);
    const theirs = await api.request('GET', '/v1/alerts', { headers: { authorization: `Bearer ${beta}` } });
    expect(theirs.status).toBe(200);
    expect(theirs.body?.items).toEqual([]);

    const peek = await api.request('GET', `/v1/alerts/${alertId}`, { key: beta });
    expect(peek.status).toBe(404);
    expect(peek.text).not.toContain('acme');
    expect((await api.request('GET', `/v1/alerts/${alertId}`, { key: acme })).body).toMatchObject({ id: alertId, tenant_id: 'acme' });
    expect((await api.request('GET', `/v1/alerts/${alertId}`)).status).toBe(401);
  });

  it('pages with cursors bound to their tenant and route', async () => {
    for (let index = 0; index < 5; index += 1) {
      await api.request('POST', '/v1/alerts', { key: acme, body: { ...alert, asset_name: `page-${index}` } });
    }
    const first = await api.request('GET', '/v1/alerts?limit=2', { key: acme });
    expect(first.body?.items).toHaveLength(2);
    const cursor = first.body?.next_cursor as string;
    expect(cursor).toEqual(expect.any(String));
    const second = await api.request('GET', `/v1/alerts?limit=2&cursor=${encodeURIComponent(cursor)}`, { key: acme });
    expect(second.status).toBe(200);
    expect(second.body?.items[0].id < first.body?.items[1].id).toBe(true);

    const stolen = await api.request('GET', `/v1/alerts?limit=2&cursor=${encodeURIComponent(cursor)}`, { key: beta });
    expect(stolen.status).toBe(400);
    expect(stolen.body?.error.code).toBe('invalid_cursor');
    const otherRoute = await api.request('GET', `/v1/incidents?cursor=${encodeURIComponent(cursor)}`, { key: acme });
    expect(otherRoute.status).toBe(400);
    const tampered = `${cursor.slice(0, -2)}xx`;
    expect((await api.request('GET', `/v1/alerts?cursor=${encodeURIComponent(tampered)}`, { key: acme })).status).toBe(400);
  });

  it('filters alerts by asset and severity within the tenant', async () => {
    await api.request('POST', '/v1/alerts', { key: acme, body: { alerts: [{ ...alert, asset_name: 'filter-me', severity: 'low' }, { ...alert, asset_name: 'filter-me' }] } });
    const low = await api.request('GET', '/v1/alerts?asset_name=filter-me&severity=low', { key: acme });
    expect(low.body?.items).toHaveLength(1);
    expect(low.body?.items[0]).toMatchObject({ asset_name: 'filter-me', severity: 'low' });
    const bad = await api.request('GET', '/v1/alerts?severity=nope&limit=500', { key: acme });
    expect(bad.status).toBe(400);
    expect(bad.body?.error.details.map((detail: { field: string }) => detail.field).sort()).toEqual(['limit', 'severity']);
  });

  it('enforces scopes per key and keeps old keys working after rotation', async () => {
    const created = await api.request('POST', '/admin/v1/tenants/acme/api-keys', { token, body: { name: 'prometheus' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ scopes: ['alerts:write'], name: 'prometheus' });
    const writeOnly = created.body?.key as string;
    expect((await api.request('POST', '/v1/alerts', { key: writeOnly, body: alert })).status).toBe(202);
    const read = await api.request('GET', '/v1/alerts', { key: writeOnly });
    expect(read.status).toBe(403);
    expect(read.body?.error.code).toBe('forbidden');
    expect((await api.request('GET', '/v1/alerts', { key: acme })).status).toBe(200);
  });

  it('refuses a revoked key on the very next request', async () => {
    const created = await api.request('POST', '/admin/v1/tenants/acme/api-keys', { token, body: { scopes: ['alerts:write'] } });
    const key = created.body?.key as string;
    expect((await api.request('POST', '/v1/alerts', { key, body: alert })).status).toBe(202);
    const revoked = await api.request('DELETE', `/admin/v1/tenants/acme/api-keys/${created.body?.id}`, { token });
    expect(revoked.status).toBe(204);
    const after = await api.request('POST', '/v1/alerts', { key, body: alert });
    expect(after.status).toBe(401);
    expect((await api.request('DELETE', `/admin/v1/tenants/acme/api-keys/${created.body?.id.replace(/./, 'f')}`, { token })).status).toBe(404);
    expect((await api.request('POST', '/admin/v1/tenants/nobody/api-keys', { token, body: {} })).status).toBe(404);
  });

  it('answers 413 over 1 MiB and 415 for non-JSON, before looking at the body', async () => {
    const big = JSON.stringify({ ...alert, message: 'x'.repeat(1024 * 1024) });
    const tooLarge = await api.request('POST', '/v1/alerts', { key: acme, rawBody: big, headers: { 'content-type': 'application/json' } });
    expect(tooLarge.status).toBe(413);
    const notJson = await api.request('POST', '/v1/alerts', { key: acme, rawBody: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(notJson.status).toBe(415);
    const broken = await api.request('POST', '/v1/alerts', { key: acme, rawBody: '{"asset_name":', headers: { 'content-type': 'application/json' } });
    expect(broken).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
  });

  it('takes ?api_key= on the webhook route only', async () => {
    expect((await api.request('POST', `/v1/alerts?api_key=${acme}`, { body: alert })).status).toBe(202);
    expect((await api.request('GET', `/v1/alerts?api_key=${acme}`)).status).toBe(401);
  });

  it('lists alerts across tenants for MSP staff, each with its tenant', async () => {
    await api.request('POST', '/v1/alerts', { key: beta, body: { ...alert, severity: 'info', asset_name: 'beta-host' } });
    const answer = await api.request('GET', '/admin/v1/alerts?severity=info', { token });
    expect(answer.status).toBe(200);
    expect(answer.body?.items).toEqual(expect.arrayContaining([expect.objectContaining({ tenant_id: 'beta', asset_name: 'beta-host' })]));
    expect((await api.request('GET', '/admin/v1/alerts', { token })).status).toBe(400);
    expect((await api.request('GET', '/admin/v1/alerts?severity=info', { key: acme })).status).toBe(401);
  });

  it("names the tenant on every log line of a request about one tenant's data, tenant key or admin token alike", async () => {
    const before = structuredLogLines(capturedLogText()).length;
    await api.request('POST', '/v1/alerts', { key: beta, body: { ...alert, asset_name: 'beta-logged' } });
    await api.request('GET', '/v1/incidents', { key: beta });
    const created = await api.request('POST', '/admin/v1/tenants/beta/api-keys', { token, body: { name: 'logged' } });
    await api.request('DELETE', `/admin/v1/tenants/beta/api-keys/${created.body?.id as string}`, { token });
    const lines = structuredLogLines(capturedLogText()).slice(before);
    const handled = lines.filter((line) => line.message === 'request handled');
    expect(handled.map((line) => line.route)).toEqual([
      'POST /v1/alerts',
      'GET /v1/incidents',
      'POST /admin/v1/tenants/{tenant_id}/api-keys',
      'DELETE /admin/v1/tenants/{tenant_id}/api-keys/{key_id}',
    ]);
    expect(lines.filter((line) => line.tenant_id !== 'beta')).toEqual([]);
  });

  it('answers unknown paths with 404 and unknown methods with 405, in the error shape', async () => {
    expect(await api.request('GET', '/v2/alerts')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect((await api.request('DELETE', '/v1/alerts', { key: acme })).status).toBe(405);
  });
});
