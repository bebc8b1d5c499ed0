import { presentedApiKey } from '../../../lambdas/shared/auth/presented-api-key';

const key = 'awapi_acme_0123456789abcdefAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const other = 'awapi_beta_0123456789abcdefAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

describe('where a request carries its key', () => {
  it('reads X-API-Key in any case', () => {
    expect(presentedApiKey({ headers: { 'X-Api-Key': key } }, false)).toBe(key);
  });

  it('reads Authorization: Bearer awapi_…', () => {
    expect(presentedApiKey({ headers: { Authorization: `Bearer ${key}` } }, false)).toBe(key);
  });

  it('ignores a Bearer token that is not an API key (an admin JWT is no tenant credential)', () => {
    expect(presentedApiKey({ headers: { authorization: 'Bearer eyJhbGciOi.x.y' } }, false)).toBeUndefined();
  });

  it('reads ?api_key= only where the route allows it', () => {
    const carrier = { queryStringParameters: { api_key: key } };
    expect(presentedApiKey(carrier, true)).toBe(key);
    expect(presentedApiKey(carrier, false)).toBeUndefined();
  });

  it('refuses two different keys rather than picking one', () => {
    expect(presentedApiKey({ headers: { 'x-api-key': key, authorization: `Bearer ${other}` } }, false)).toBeUndefined();
    expect(presentedApiKey({ headers: { 'x-api-key': key }, queryStringParameters: { api_key: other } }, true)).toBeUndefined();
  });

  it('accepts the same key given twice', () => {
    expect(presentedApiKey({ headers: { 'x-api-key': key, authorization: `Bearer ${key}` } }, false)).toBe(key);
  });
});
