import { issueApiKey } from '../../lambdas/shared/auth/api-key';
import { generateWebhookSecret } from '../../lambdas/shared/auth/webhook-signature';
import {
  handlerCalls,
  knownSecrets,
  noteHandlerCall,
  rememberApiKey,
  rememberSecret,
  rememberSecretsInAnswer,
  secretsIn,
} from '../support/secret-patterns';

// The log check is only as good as its patterns: prove each one catches what it names.
describe('secret patterns used by the log check', () => {
  it('finds each kind of secret inside a JSON log line', () => {
    const line = (value: string) => JSON.stringify({ level: 'INFO', message: 'x', value });
    expect(secretsIn(line(issueApiKey('acme-1').plaintext))).toEqual(['API key']);
    expect(secretsIn(line(generateWebhookSecret()))).toEqual(['webhook secret']);
    expect(secretsIn(line('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJsb2NhbC1hZG1pbiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ'))).toEqual(['JWT']);
    expect(secretsIn(line('ASIAABCDEFGHIJKLMNOP'))).toEqual(['AWS access key id']);
    expect(secretsIn('{"SessionToken":"abc"}')).toEqual(['AWS secret or session token field']);
    expect(secretsIn('pepper=s3cr3t', ['s3cr3t'])).toEqual(['a known secret value']);
    expect(secretsIn('pepper=s3cr3t', [{ label: 'the pepper', value: 's3cr3t' }])).toEqual(['the pepper']);
  });

  it('passes ordinary log lines', () => {
    expect(secretsIn(JSON.stringify({ level: 'INFO', message: 'api key refused', tenant_id: 'acme', key_id: '0123456789abcdef' }))).toEqual([]);
  });
});

// The registry the log check reads: every key and secret a test file minted or was shown.
describe('the file’s registry of known secrets', () => {
  const registered = () => knownSecrets().map((secret) => secret.value);

  it('remembers a minted key whole, its material and its secret, but not its key id', () => {
    const key = issueApiKey('registry-1');
    rememberApiKey(key.plaintext);
    expect(registered()).toEqual(expect.arrayContaining([key.plaintext, `${key.keyId}${key.secret}`, key.secret]));
    expect(registered()).not.toContain(key.keyId);
    // A line with only the secret part matches no pattern, only the registry.
    const line = JSON.stringify({ level: 'INFO', message: 'x', presented: key.secret });
    expect(secretsIn(line)).toEqual([]);
    expect(secretsIn(line, knownSecrets())).toEqual(['a minted API key’s secret']);
    expect(secretsIn(JSON.stringify({ key_id: key.keyId }), knownSecrets())).toEqual([]);
  });

  it('remembers the keys, webhook secrets and tokens an answer shows, at any depth', () => {
    const created = issueApiKey('registry-2').plaintext;
    const added = issueApiKey('registry-2').plaintext;
    const secret = generateWebhookSecret();
    rememberSecretsInAnswer({ tenant: { id: 'registry-2' }, api_key: { id: 'k', key: created } });
    rememberSecretsInAnswer([{ key: added }, { hmac_enabled: true, secret }, { token: 'header.payload.signature-long' }]);
    expect(registered()).toEqual(expect.arrayContaining([created, added, secret, 'header.payload.signature-long']));
  });

  it('ignores values too short to be a secret, which would match ordinary text', () => {
    rememberSecret('short', 'abc');
    rememberSecretsInAnswer({ secret: '', token: 'x' });
    expect(registered()).not.toEqual(expect.arrayContaining(['abc']));
    expect(registered()).not.toContain('');
  });

  it('counts route handler calls', () => {
    const before = handlerCalls();
    noteHandlerCall();
    expect(handlerCalls()).toBe(before + 1);
  });
});
