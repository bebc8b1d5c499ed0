import { generateWebhookSecret, signWebhookBody, verifyWebhookSignature } from '../../../lambdas/shared/auth/webhook-signature';

const secret = generateWebhookSecret();
const body = '{"asset_name":"h1"}';
const now = new Date('2024-01-15T12:00:00Z');
const ts = String(now.getTime() / 1000);

describe('webhook signatures', () => {
  it('accepts the documented scheme: sha256=<hex HMAC(secret, "<ts>.<body>")>', () => {
    const signature = signWebhookBody(secret, ts, body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, { timestamp: ts, signature }, body, now)).toEqual({ valid: true, signature: signature.slice(7) });
  });

  it.each([
    ['no headers', {}, body],
    ['another body', { timestamp: ts, signature: signWebhookBody(secret, ts, body) }, `${body} `],
    ['another secret', { timestamp: ts, signature: signWebhookBody(generateWebhookSecret(), ts, body) }, body],
    ['a timestamp 301 s old', { timestamp: String(Number(ts) - 301), signature: signWebhookBody(secret, String(Number(ts) - 301), body) }, body],
    ['a timestamp 301 s ahead', { timestamp: String(Number(ts) + 301), signature: signWebhookBody(secret, String(Number(ts) + 301), body) }, body],
    ['a malformed timestamp', { timestamp: '1e9', signature: signWebhookBody(secret, '1e9', body) }, body],
    ['a truncated signature', { timestamp: ts, signature: signWebhookBody(secret, ts, body).slice(0, 40) }, body],
    ['no sha256= prefix', { timestamp: ts, signature: signWebhookBody(secret, ts, body).slice(7) }, body],
  ])('refuses %s', (_case, headers, presentedBody) => {
    expect(verifyWebhookSignature(secret, headers, presentedBody, now).valid).toBe(false);
  });

  it('accepts timestamps within 300 s either way', () => {
    for (const offset of [-300, 300]) {
      const timestamp = String(Number(ts) + offset);
      expect(verifyWebhookSignature(secret, { timestamp, signature: signWebhookBody(secret, timestamp, body) }, body, now).valid).toBe(true);
    }
  });
});
