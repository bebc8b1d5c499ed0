import { decodeCursor, encodeCursor } from '../../../lambdas/shared/http/cursor';
import { usePepperForTests } from '../../support/api-events';

const lastKey = { PK: 'TENANT#acme', SK: 'ALERT#01J0000000000000000000000A' };
const acmeAlerts = { owner: 'acme', list: 'GET /v1/alerts?asset_name=&severity=' };

beforeAll(() => usePepperForTests());

describe('list cursors', () => {
  it('give the key back to the list that made them, and show nothing of it', async () => {
    const cursor = (await encodeCursor(acmeAlerts, lastKey)) as string;
    await expect(decodeCursor(acmeAlerts, cursor)).resolves.toEqual(lastKey);
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toMatch(/TENANT|ALERT|acme|PK|SK/);
    expect(await encodeCursor(acmeAlerts, lastKey)).not.toBe(cursor);
  });

  it.each([
    ['another tenant', { ...acmeAlerts, owner: 'beta' }],
    ['another route', { ...acmeAlerts, list: 'GET /v1/incidents?status=' }],
    ['the same route with other filters', { ...acmeAlerts, list: 'GET /v1/alerts?asset_name=&severity=critical' }],
  ])('refuse %s with a 400 naming cursor', async (_case, binding) => {
    const cursor = (await encodeCursor(acmeAlerts, lastKey)) as string;
    await expect(decodeCursor(binding, cursor)).rejects.toMatchObject({ statusCode: 400, code: 'invalid_cursor', details: [{ field: 'cursor' }] });
  });

  it('refuse an edited, truncated or made-up cursor', async () => {
    const cursor = (await encodeCursor(acmeAlerts, lastKey)) as string;
    const flipped = Buffer.from(cursor, 'base64url');
    flipped[20] ^= 1;
    for (const bad of [flipped.toString('base64url'), cursor.slice(0, -4), `${cursor}!`, 'e30', '', Buffer.from(JSON.stringify(lastKey)).toString('base64url')]) {
      await expect(decodeCursor(acmeAlerts, bad)).rejects.toMatchObject({ code: 'invalid_cursor' });
    }
  });

  it('has no cursor for the last page and starts at the top without one', async () => {
    await expect(encodeCursor(acmeAlerts, undefined)).resolves.toBeNull();
    await expect(decodeCursor(acmeAlerts, undefined)).resolves.toBeUndefined();
  });
});
