import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { API_ROUTES, routeKey } from '../../../lib/api-routes';

const root = join(__dirname, '../../..');

describe('the route table', () => {
  it('names each route once', () => {
    const keys = API_ROUTES.map(routeKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('points every route at a function folder that exists', () => {
    for (const route of API_ROUTES) expect(existsSync(join(root, 'lambdas', route.fn, 'index.ts'))).toBe(true);
  });

  it('gives every API key route a scope and no other route one', () => {
    for (const route of API_ROUTES) expect(Boolean(route.scope)).toBe(route.auth === 'api-key');
  });

  it('takes ?api_key= only on the POST /v1/alerts* webhook routes', () => {
    const queryKeyRoutes = API_ROUTES.filter((route) => route.acceptsQueryApiKey).map(routeKey);
    expect(queryKeyRoutes).toEqual(['POST /v1/alerts', 'POST /v1/alerts/{source}']);
  });

  it('puts MSP staff routes, and only those, under /admin', () => {
    for (const route of API_ROUTES) expect(route.path.startsWith('/admin/')).toBe(route.auth === 'admin');
  });
});
