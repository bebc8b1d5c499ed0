import { report } from '../support/capture-logs';
import { API_ROUTES, routeKey, type ApiRoute } from '../../lib/api-routes';
import { startLocalApi, type ApiAnswer, type LocalApi } from '../support/local-api';

/**
 * Tenant isolation attacked as an attacker would, through the API exactly as `npm start`
 * serves it. The routes come from the route table, so a route added later is attacked
 * without anyone remembering to: a new route with a body or an id fails here until it has
 * a sample body or an id to attack.
 *
 * The victim is `acme`; the attacker holds a full key of `acme2`, a tenant whose id
 * extends the victim's, the case a loose `TENANT#acme*` pattern would let through.
 */
let api: LocalApi;
let token: string;
let victimKey: string;
let attackerKey: string;
const victim = { alertId: '', incidentId: '', executionId: '', cursorAlerts: '', cursorIncidents: '' };
let attackCases = 0;

/** A valid body for each route that takes one: the attack must fail for the tenant, not for the body. */
const SAMPLE_BODIES: Record<string, unknown> = {
  'POST /v1/alerts': { asset_name: 'intruder-host', signature: 'probe', severity: 'low', message: 'probe' },
  'POST /v1/alerts/{source}': { event_action: 'trigger', payload: { summary: 'probe', source: 'intruder-host', severity: 'info' } },
  'PATCH /v1/incidents/{incident_id}': { status: 'resolved', note: 'closed by an intruder' },
  'POST /v1/incidents/{incident_id}/runbooks': { runbook: 'AW-DiskCleanup', instance_id: 'i-0123456789abcdef0' },
  'PUT /v1/config/correlation': { time_window_minutes: 1, critical_assets: ['x'] },
  'PUT /v1/config/webhook-security': { hmac_enabled: true },
  'PUT /v1/config/aws-integration': {
    enabled: true,
    account_id: '333333333333',
    role_arn: 'arn:aws:iam::333333333333:role/AlertWhispererMSP',
    region: 'us-east-1',
    allowed_runbooks: ['AW-DiskCleanup'],
  },
  'POST /admin/v1/tenants': { id: 'intruder-made', name: 'x' },
  'POST /admin/v1/tenants/{tenant_id}/api-keys': { scopes: ['config:write'] },
  'PUT /admin/v1/tenants/{tenant_id}/limits': { requests_per_second: 1, burst: 1 },
};

/** The victim's resource for each path parameter; `source` names a tool, not a tenant's thing. */
function victimPath(route: ApiRoute): string {
  const values: Record<string, string> = {
    alert_id: victim.alertId,
    incident_id: victim.incidentId,
    execution_id: victim.executionId,
    source: 'pagerduty',
    tenant_id: 'acme',
    key_id: '0123456789abcdef',
  };
  return route.path.replace(/\{(\w+)\}/g, (_match, name: string) => values[name]);
}

const hasTenantResourceId = (route: ApiRoute) => /\{(alert_id|incident_id|execution_id)\}/.test(route.path);
const tenantRoutes = API_ROUTES.filter((route) => route.auth === 'api-key');
const adminRoutes = API_ROUTES.filter((route) => route.auth === 'admin');

async function attack(route: ApiRoute, options: Parameters<LocalApi['request']>[2] = {}, path = victimPath(route)): Promise<ApiAnswer> {
  attackCases += 1;
  return api.request(route.method, path, { body: SAMPLE_BODIES[routeKey(route)], ...options });
}

function expectNoVictimData(answer: ApiAnswer) {
  for (const secret of [victim.alertId, victim.incidentId, victim.executionId, victimKey, '"acme"', 'TENANT#acme']) {
    expect(answer.text).not.toContain(secret);
  }
}

beforeAll(async () => {
  api = await startLocalApi();
  token = await api.adminToken();
  victimKey = await api.createTenant('acme');
  attackerKey = await api.createTenant('acme2');

  const first = await api.request('POST', '/v1/alerts', { key: victimKey, body: { asset_name: 'crown-jewel', signature: 'db_down', severity: 'critical', message: 'secret' } });
  await api.request('POST', '/v1/alerts', { key: victimKey, body: { asset_name: 'other-jewel', signature: 'db_down', severity: 'high', message: 'secret' } });
  victim.alertId = first.body?.alerts[0].id;
  victim.incidentId = first.body?.alerts[0].incident_id;
  await api.request('PUT', '/v1/config/aws-integration', { key: victimKey, body: SAMPLE_BODIES['PUT /v1/config/aws-integration'] });
  const execution = await api.request('POST', `/v1/incidents/${victim.incidentId}/runbooks`, { key: victimKey, body: SAMPLE_BODIES['POST /v1/incidents/{incident_id}/runbooks'] });
  victim.executionId = execution.body?.execution_id;
  victim.cursorAlerts = (await api.request('GET', '/v1/alerts?limit=1', { key: victimKey })).body?.next_cursor;
  victim.cursorIncidents = (await api.request('GET', '/v1/incidents?limit=1', { key: victimKey })).body?.next_cursor;
  expect(Object.values(victim).every(Boolean)).toBe(true);
});

afterAll(async () => {
  await api.stop();
  report(`attack cases: ${attackCases} on ${tenantRoutes.length + adminRoutes.length} routes; policy decisions checked: ${api.decisions.length}`);
});

// Every DynamoDB call in these flows was checked against the deployed policy; an attacker's
// request must be stopped by the tenant boundary in the code, never by reaching the data.
afterEach(() => expect(api.decisions.filter((decision) => !decision.allowed)).toEqual([]));

describe('every tenant route, attacked with another tenant’s key', () => {
  it('has a sample body for each route that takes one', () => {
    const missing = API_ROUTES.filter((route) => ['POST', 'PUT', 'PATCH'].includes(route.method) && !(routeKey(route) in SAMPLE_BODIES));
    expect(missing.map(routeKey)).toEqual([]);
  });

  it.each(tenantRoutes.filter(hasTenantResourceId).map((route) => [routeKey(route), route] as const))('%s on the victim’s ids → 404, nothing of the victim', async (_key, route) => {
    const answer = await attack(route, { key: attackerKey });
    expect(answer.status).toBe(404);
    expect(answer.body?.error.code).toBe('not_found');
    expectNoVictimData(answer);
  });

  it.each(tenantRoutes.filter((route) => !hasTenantResourceId(route)).map((route) => [routeKey(route), route] as const))('%s → only the attacker’s own data', async (_key, route) => {
    const answer = await attack(route, { key: attackerKey });
    expect(answer.status).toBeLessThan(500);
    expectNoVictimData(answer);
  });

  it('left the victim’s incident, alerts and settings as they were', async () => {
    const incident = await api.request('GET', `/v1/incidents/${victim.incidentId}`, { key: victimKey });
    expect(incident.body).toMatchObject({ status: 'new', alert_count: 1 });
    expect((await api.request('GET', '/v1/config/correlation', { key: victimKey })).body).toEqual({ time_window_minutes: 15, auto_correlate: true, critical_assets: [] });
    expect((await api.request('GET', '/v1/config/webhook-security', { key: victimKey })).body).toEqual({ hmac_enabled: false });
    const alerts = await api.request('GET', '/v1/alerts', { key: victimKey });
    expect(alerts.body?.items.map((alert: { asset_name: string }) => alert.asset_name).sort()).toEqual(['crown-jewel', 'other-jewel']);
  });

  it.each([
    ['/v1/alerts', 'cursorAlerts'],
    ['/v1/incidents', 'cursorIncidents'],
  ] as const)('refuses the victim’s cursor on %s with 400', async (path, cursor) => {
    attackCases += 1;
    const answer = await api.request('GET', `${path}?cursor=${encodeURIComponent(victim[cursor])}`, { key: attackerKey });
    expect(answer.status).toBe(400);
    expect(answer.body?.error.code).toBe('invalid_cursor');
    expectNoVictimData(answer);
  });
});

describe('forged, revoked, expired and misplaced keys, on every tenant route', () => {
  const forgedKeys = () => {
    const [, , material] = attackerKey.match(/^awapi_([a-z0-9-]+)_(.+)$/) ?? [];
    return {
      'victim prefix on the attacker’s secret': `awapi_acme_${material}`,
      'unicode tenant': `awapi_acmé_${material}`,
      'wildcard tenant': `awapi_acme*_${material}`,
      'hash in tenant': `awapi_acme#2_${material}`,
      'dot-dot tenant': `awapi_.._${material}`,
      'truncated key': victimKey.slice(0, -1),
      'one character changed': `${victimKey.slice(0, -1)}${victimKey.endsWith('A') ? 'B' : 'A'}`,
      'unknown tenant': `awapi_nobody_${material}`,
    };
  };

  it.each(tenantRoutes.map((route) => [routeKey(route), route] as const))('%s refuses every forged key with 401', async (_key, route) => {
    for (const [name, key] of Object.entries(forgedKeys())) {
      const answer = await attack(route, { key });
      expect([name, answer.status]).toEqual([name, 401]);
    }
  });

  it.each(tenantRoutes.map((route) => [routeKey(route), route] as const))('%s refuses keys in the wrong place with 401', async (_key, route) => {
    const misplaced: Array<[string, Record<string, string>, string?]> = [
      ['X-Api-Token', { 'x-api-token': victimKey }],
      ['Authorization without Bearer', { authorization: victimKey }],
      ['Authorization Basic', { authorization: `Basic ${Buffer.from(`${victimKey}:`).toString('base64')}` }],
      ['Cookie', { cookie: `api_key=${victimKey}` }],
      ['X-API-Key with a Bearer prefix', { 'x-api-key': `Bearer ${victimKey}` }],
    ];
    if (!route.acceptsQueryApiKey) misplaced.push(['?api_key= off the webhook routes', {}, `?api_key=${victimKey}`]);
    for (const [name, headers, query = ''] of misplaced) {
      const answer = await attack(route, { headers }, `${victimPath(route)}${query}`);
      expect([name, answer.status]).toEqual([name, 401]);
    }
  });

  it('refuses a revoked key and an expired key on every tenant route', async () => {
    const revoked = await api.request('POST', '/admin/v1/tenants/acme/api-keys', { token, body: { scopes: ['alerts:write', 'incidents:read', 'incidents:write', 'runbooks:execute', 'config:write'] } });
    expect((await api.request('DELETE', `/admin/v1/tenants/acme/api-keys/${revoked.body?.id}`, { token })).status).toBe(204);
    const expiring = await api.request('POST', '/admin/v1/tenants/acme/api-keys', { token, body: { scopes: ['incidents:read'], expires_in_days: 1 } });
    expect((await api.request('GET', '/v1/alerts', { key: expiring.body?.key })).status).toBe(200);

    for (const route of tenantRoutes) expect([routeKey(route), (await attack(route, { key: revoked.body?.key })).status]).toEqual([routeKey(route), 401]);
    jest.useFakeTimers({ now: Date.now() + 2 * 86_400_000, doNotFake: ['setTimeout', 'setInterval', 'setImmediate', 'nextTick', 'queueMicrotask', 'performance'] });
    try {
      for (const route of tenantRoutes) expect([routeKey(route), (await attack(route, { key: expiring.body?.key })).status]).toEqual([routeKey(route), 401]);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('nothing in a request but the key chooses the tenant', () => {
  it('ignores tenant-ish headers, query parameters and body fields', async () => {
    attackCases += 1;
    // The attacker turned HMAC signing on for its own tenant above; unsigned posts need it off.
    await api.request('PUT', '/v1/config/webhook-security', { key: attackerKey, body: { hmac_enabled: false } });
    const headers = { 'x-tenant-id': 'acme', 'x-company-id': 'acme', 'x-amz-tenant': 'acme', tenant: 'acme' };
    const posted = await api.request('POST', '/v1/alerts?tenant_id=acme&company_id=acme', {
      key: attackerKey,
      headers,
      body: { asset_name: 'planted', signature: 'plant', severity: 'critical', message: 'x', tenant_id: 'acme', company_id: 'acme', PK: 'TENANT#acme' },
    });
    expect(posted.status).toBe(202);
    const victimView = await api.request('GET', '/v1/alerts?asset_name=planted', { key: victimKey });
    expect(victimView.body?.items).toEqual([]);
    const attackerView = await api.request('GET', '/v1/alerts?asset_name=planted&tenant_id=acme', { key: attackerKey, headers });
    expect(attackerView.body?.items).toEqual([expect.objectContaining({ tenant_id: 'acme2', asset_name: 'planted' })]);
    expect(attackerView.body?.items[0]).not.toHaveProperty('company_id');
  });
});

describe('encoded path tricks', () => {
  it.each([
    '/v1/alerts/%2F..%2Fincidents',
    '/v1/alerts/..%2F..%2Fadmin%2Fv1%2Ftenants',
    '/v1/alerts/..',
    '/v1/alerts/.',
    '/v1/alerts/%2A',
    '/v1/alerts/*',
    '/v1/incidents/%23',
    '/v1/incidents/%00',
    '/v1/incidents/%E2%80%AE',
    '/v1/alerts/%',
  ])('%s → 4xx', async (path) => {
    attackCases += 1;
    const answer = await api.request('GET', path, { key: attackerKey });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
  });

  it('the victim’s id with a suffix is not the victim’s id', async () => {
    for (const suffix of ['%23', '%2F', '%00', '#x', '%20']) {
      attackCases += 1;
      const answer = await api.request('GET', `/v1/incidents/${victim.incidentId}${suffix}`, { key: attackerKey });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expectNoVictimData(answer);
    }
  });
});

describe('admin routes', () => {
  it.each(adminRoutes.map((route) => [routeKey(route), route] as const))('%s refuses tenant keys and missing or forged tokens with 401', async (_key, route) => {
    const [header, payload] = token.split('.');
    for (const headers of [{ 'x-api-key': victimKey }, { authorization: `Bearer ${victimKey}` }, {}, { authorization: `Bearer ${header}.${payload}.` }] as Array<Record<string, string>>) {
      const answer = await attack(route, { headers }, victimPath(route).replace('{tenant_id}', 'acme'));
      expect(answer.status).toBe(401);
    }
  });
});
