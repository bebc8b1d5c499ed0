import { issueApiKey } from '../../lambdas/shared/auth/api-key';
import { generateWebhookSecret } from '../../lambdas/shared/auth/webhook-signature';
import { secretsIn } from '../support/secret-patterns';

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
  });

  it('passes ordinary log lines', () => {
    expect(secretsIn(JSON.stringify({ level: 'INFO', message: 'api key refused', tenant_id: 'acme', key_id: '0123456789abcdef' }))).toEqual([]);
  });
});
