import { hashKeySecret, issueApiKey, keySecretMatches, parseApiKey } from '../../../lambdas/shared/auth/api-key';

const pepper = Buffer.from('a'.repeat(32));

describe('API key format', () => {
  it('issues awapi_<tenant>_<keyId><secret> with at least 160 bits of secret', () => {
    const key = issueApiKey('acme-corp');
    expect(key.plaintext).toMatch(/^awapi_acme-corp_[0-9a-f]{16}[A-Za-z0-9_-]{32}$/);
    expect(Buffer.from(key.secret, 'base64url').length * 8).toBeGreaterThanOrEqual(160);
    expect(parseApiKey(key.plaintext)).toEqual({ tenantId: 'acme-corp', keyId: key.keyId, secret: key.secret });
  });

  it('never issues the same key twice', () => {
    const keys = new Set(Array.from({ length: 200 }, () => issueApiKey('acme').plaintext));
    expect(keys.size).toBe(200);
  });

  it.each([
    ['empty', ''],
    ['wrong prefix', 'awkey_acme_0123456789abcdefAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['no tenant separator', 'awapi_acme0123456789abcdef'],
    ['tenant with #', 'awapi_ac#me_0123456789abcdefAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['tenant with *', 'awapi_acme*_0123456789abcdefAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['upper-case tenant', 'awapi_ACME_0123456789abcdefAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['unicode tenant', 'awapi_acmé_0123456789abcdefAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['dot-dot tenant', 'awapi_.._0123456789abcdefAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['short secret', 'awapi_acme_0123456789abcdefAAAA'],
    ['long secret', 'awapi_acme_0123456789abcdefAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['non-hex key id', 'awapi_acme_0123456789abcdeZAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('refuses %s', (_case, presented) => {
    expect(parseApiKey(presented)).toBeUndefined();
  });

  it('matches only the exact secret, for the exact tenant and key id', () => {
    const key = issueApiKey('acme');
    const stored = hashKeySecret(key, pepper);
    expect(stored).not.toContain(key.secret);
    expect(keySecretMatches(key, stored, pepper)).toBe(true);
    expect(keySecretMatches({ ...key, secret: `${key.secret.slice(0, -1)}x` }, stored, pepper)).toBe(false);
    expect(keySecretMatches({ ...key, tenantId: 'beta' }, stored, pepper)).toBe(false);
    expect(keySecretMatches(key, stored, Buffer.from('b'.repeat(32)))).toBe(false);
    expect(keySecretMatches(key, 'abcd', pepper)).toBe(false);
  });
});
