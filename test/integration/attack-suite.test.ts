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
const victim = { alertId: '', incidentId: '', executionId: '' };
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

/**
 * How each path parameter of a tenant route is filled with a resource of the victim's,
 * seeded in `beforeAll`. A route whose parameter is in neither table below cannot be
 * attacked: the suite names it and fails, rather than attack a path with `undefined` in it.
 */
const VICTIM_RESOURCES: Record<string, () => string> = {
  alert_id: () => victim.alertId,
  incident_id: () => victim.incidentId,
  execution_id: () => victim.executionId,
};
/** Path parameters that name no tenant's resource (`source` names a tool): the same for every tenant. */
const SHARED_PARAMETERS: Record<string, string> = { source: 'pagerduty' };
/** Admin routes' parameters: the victim tenant itself, and a key id. */
const ADMIN_PARAMETERS: Record<string, string> = { tenant_id: 'acme', key_id: '0123456789abcdef' };

/** Every `{name}` of a route's path, `{proxy+}` included. */
const pathParametersOf = (route: ApiRoute): string[] => [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);

function parameterValue(route: ApiRoute, name: string): string | undefined {
  if (route.auth === 'admin') return Object.hasOwn(ADMIN_PARAMETERS, name) ? ADMIN_PARAMETERS[name] : undefined;
  if (Object.hasOwn(SHARED_PARAMETERS, name)) return SHARED_PARAMETERS[name];
  return Object.hasOwn(VICTIM_RESOURCES, name) ? VICTIM_RESOURCES[name]() : undefined;
}

/** The parameters of a route the suite cannot fill, as `"GET /v1/x/{y}: {y}"`. */
const unfillableParameters = (route: ApiRoute): string[] =>
  pathParametersOf(route)
    .filter((name) => !parameterValue(route, name))
    .map((name) => `${routeKey(route)}: {${name}}`);

/** The route's path on the victim's resources; throws, naming the route and parameter, when one cannot be filled. */
function victimPath(route: ApiRoute): string {
  return route.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = parameterValue(route, name);
    if (!value) {
      throw new Error(`${routeKey(route)}: the attack suite cannot fill {${name}} with a resource of the victim tenant; add it to VICTIM_RESOURCES (or SHARED_PARAMETERS) and seed it`);
    }
    return encodeURIComponent(value);
  });
}

/** A route with an id: any path parameter but a shared one (an unknown parameter counts, so its route is attacked and fails loudly). */
const hasTenantResourceId = (route: ApiRoute) => pathParametersOf(route).some((name) => !Object.hasOwn(SHARED_PARAMETERS, name));
const BODY_METHODS = ['POST', 'PUT', 'PATCH'];
const tenantRoutes = API_ROUTES.filter((route) => route.auth === 'api-key');
const adminRoutes = API_ROUTES.filter((route) => route.auth === 'admin');
const bodyTenantRoutes = tenantRoutes.filter((route) => BODY_METHODS.includes(route.method));
/** The victim's view of its data: every tenant GET route, on the victim's ids. */
const victimViewRoutes = () => tenantRoutes.filter((route) => route.method === 'GET' && unfillableParameters(route).length === 0);
/** GET routes answering `{items, next_cursor}`, found in `beforeAll` by their answers, with a cursor of the victim's for each. */
const listRoutes: Array<{ readonly route: ApiRoute; readonly cursor: string | null }> = [];

async function victimView(): Promise<Record<string, unknown>> {
  const view: Record<string, unknown> = {};
  for (const route of victimViewRoutes()) {
    const answer = await api.request('GET', victimPath(route), { key: victimKey });
    view[routeKey(route)] = { status: answer.status, body: answer.body };
  }
  return view;
}

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
  // Hundreds of requests in a few seconds: limits no test here is about, so a 429 never stands in for the answer under test.
  for (const tenant of ['acme', 'acme2']) {
    expect((await api.request('PUT', `/admin/v1/tenants/${tenant}/limits`, { token, body: { requests_per_second: 10_000, burst: 20_000 } })).status).toBe(200);
  }

  const first = await api.request('POST', '/v1/alerts', { key: victimKey, body: { asset_name: 'crown-jewel', signature: 'db_down', severity: 'critical', message: 'secret' } });
  await api.request('POST', '/v1/alerts', { key: victimKey, body: { asset_name: 'other-jewel', signature: 'db_down', severity: 'high', message: 'secret' } });
  victim.alertId = first.body?.alerts[0].id;
  victim.incidentId = first.body?.alerts[0].incident_id;
  await api.request('PUT', '/v1/config/aws-integration', { key: victimKey, body: SAMPLE_BODIES['PUT /v1/config/aws-integration'] });
  const execution = await api.request('POST', `/v1/incidents/${victim.incidentId}/runbooks`, { key: victimKey, body: SAMPLE_BODIES['POST /v1/incidents/{incident_id}/runbooks'] });
  victim.executionId = execution.body?.execution_id;
  expect(Object.values(victim).every(Boolean)).toBe(true);
  // The local workflow ends the execution (failed: no AWS credentials here) within moments;
  // wait for it (bounded) so the victim's view of its data holds still for the comparisons below.
  let executionStatus: unknown = 'running';
  for (let poll = 0; poll < 100 && executionStatus === 'running'; poll += 1) {
    if (poll > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    executionStatus = (await api.request('GET', `/v1/incidents/${victim.incidentId}/runbooks/${victim.executionId}`, { key: victimKey })).body?.status;
  }
  expect(executionStatus).not.toBe('running');
  // The list routes, found by their answers: any tenant GET route answering {items, next_cursor}.
  for (const route of victimViewRoutes()) {
    const page = await api.request('GET', `${victimPath(route)}?limit=1`, { key: victimKey });
    if (Array.isArray(page.body?.items) && page.body !== undefined && 'next_cursor' in page.body) listRoutes.push({ route, cursor: page.body.next_cursor });
  }
});

afterAll(async () => {
  await api.stop();
  report(
    `attack cases: ${attackCases} on ${tenantRoutes.length + adminRoutes.length} routes (${tenantRoutes.length} tenant, ${adminRoutes.length} admin; ${listRoutes.length} list routes, ${bodyTenantRoutes.length} body-taking tenant routes); policy decisions checked: ${api.decisions.length}`,
  );
});

// Every DynamoDB call in these flows was checked against the deployed policy; an attacker's
// request must be stopped by the tenant boundary in the code, never by reaching the data.
afterEach(() => expect(api.decisions.filter((decision) => !decision.allowed)).toEqual([]));

describe('every tenant route, attacked with another tenant’s key', () => {
  it('has a sample body for each route that takes one', () => {
    const missing = API_ROUTES.filter((route) => ['POST', 'PUT', 'PATCH'].includes(route.method) && !(routeKey(route) in SAMPLE_BODIES));
    expect(missing.map(routeKey)).toEqual([]);
  });

  it('can fill every path parameter of every route with the victim’s resources', () => {
    // A route added later with, say, {rule_id} fails here by name until the suite seeds a victim's rule.
    expect(API_ROUTES.filter((route) => route.auth !== 'none').flatMap(unfillableParameters)).toEqual([]);
  });

  it.each(tenantRoutes.filter(hasTenantResourceId).map((route) => [routeKey(route), route] as const))('%s on the victim’s ids → 404, nothing of the victim', async (_key, route) => {
    // The same path answers the victim (GET routes: reading has no side effect), so the 404 is the tenant boundary, not a wrong id.
    if (route.method === 'GET') expect((await api.request('GET', victimPath(route), { key: victimKey })).status).toBe(200);
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

  it('finds the list routes by their answers, each with a cursor of the victim’s', () => {
    expect(listRoutes.map(({ route }) => routeKey(route))).toEqual(expect.arrayContaining(['GET /v1/alerts', 'GET /v1/incidents']));
    // A list route the victim has one page of gives no cursor to attack: seed more of its items.
    expect(listRoutes.filter(({ cursor }) => typeof cursor !== 'string').map(({ route }) => routeKey(route))).toEqual([]);
  });

  it('refuses the victim’s cursor on every list route with 400', async () => {
    for (const { route, cursor } of listRoutes) {
      attackCases += 1;
      const answer = await api.request('GET', `${victimPath(route)}?cursor=${encodeURIComponent(cursor ?? '')}`, { key: attackerKey });
      expect([routeKey(route), answer.status]).toEqual([routeKey(route), 400]);
      expect(answer.body?.error.code).toBe('invalid_cursor');
      expectNoVictimData(answer);
    }
  });

  it('refuses a cursor on a list route it was not made for, for the attacker and for the victim alike', async () => {
    for (const { route } of listRoutes) {
      for (const { route: madeFor, cursor } of listRoutes.filter((other) => other.route !== route)) {
        for (const key of [attackerKey, victimKey]) {
          attackCases += 1;
          const answer = await api.request('GET', `${victimPath(route)}?cursor=${encodeURIComponent(cursor ?? '')}`, { key });
          expect([routeKey(route), `cursor of ${routeKey(madeFor)}`, answer.status]).toEqual([routeKey(route), `cursor of ${routeKey(madeFor)}`, 400]);
          expect(answer.body?.error.code).toBe('invalid_cursor');
          if (key === attackerKey) expectNoVictimData(answer);
        }
      }
    }
  });

  it('answers the victim’s own cursor on its own list route, so the refusals above are the binding', async () => {
    for (const { route, cursor } of listRoutes) {
      const answer = await api.request('GET', `${victimPath(route)}?limit=1&cursor=${encodeURIComponent(cursor ?? '')}`, { key: victimKey });
      expect([routeKey(route), answer.status]).toEqual([routeKey(route), 200]);
    }
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
  const TENANTISH_HEADERS = { 'x-tenant-id': 'acme', 'x-company-id': 'acme', 'x-amz-tenant': 'acme', tenant: 'acme', 'x-tenant': 'TENANT#acme' };
  const TENANTISH_QUERY = 'tenant_id=acme&company_id=acme&tenant=acme';
  const TENANTISH_FIELDS = { tenant_id: 'acme', company_id: 'acme', tenantId: 'acme', PK: 'TENANT#acme' };
  let victimBefore: Record<string, unknown>;
  beforeAll(async () => {
    victimBefore = await victimView();
  });

  it.each(tenantRoutes.map((route) => [routeKey(route), route] as const))('%s with tenant-ish headers, query and body fields naming the victim → still the attacker’s tenant', async (_key, route) => {
    // The attacker may have turned HMAC signing on for its own tenant; unsigned posts need it off.
    expect((await api.request('PUT', '/v1/config/webhook-security', { key: attackerKey, body: { hmac_enabled: false } })).status).toBe(200);
    const sample = SAMPLE_BODIES[routeKey(route)];
    const body = BODY_METHODS.includes(route.method) && sample && typeof sample === 'object' && !Array.isArray(sample) ? { ...sample, ...TENANTISH_FIELDS } : sample;
    const answer = await attack(route, { key: attackerKey, headers: TENANTISH_HEADERS, body }, `${victimPath(route)}?${TENANTISH_QUERY}`);
    expectNoVictimData(answer);
    if (hasTenantResourceId(route)) {
      // Were the victim's id reachable by naming the victim, this would not be a 404.
      expect([routeKey(route), answer.status, answer.body?.error.code]).toEqual([routeKey(route), 404, 'not_found']);
      return;
    }
    expect([routeKey(route), answer.status >= 200 && answer.status < 300]).toEqual([routeKey(route), true]);
    // What was written is the attacker's: the alerts it names are the attacker's to read, the config it set is the attacker's config.
    for (const { id } of (answer.body?.alerts ?? []) as Array<{ id: string }>) {
      const own = await api.request('GET', `/v1/alerts/${encodeURIComponent(id)}`, { key: attackerKey });
      expect([own.status, own.body?.tenant_id]).toEqual([200, 'acme2']);
      expect((await api.request('GET', `/v1/alerts/${encodeURIComponent(id)}`, { key: victimKey })).status).toBe(404);
    }
    if (route.method === 'PUT' && tenantRoutes.some((other) => other.method === 'GET' && other.path === route.path)) {
      const read = await api.request('GET', victimPath(route), { key: attackerKey });
      expect(answer.body).toMatchObject(read.body ?? {});
      expect(answer.body).not.toHaveProperty('tenant_id', 'acme');
    }
    // And nothing the victim can see changed.
    if (route.method !== 'GET') expect(await victimView()).toEqual(victimBefore);
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
