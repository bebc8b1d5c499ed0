import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Per-tenant webhook signing (API.md): `X-Timestamp: <unix seconds>` and
 * `X-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`.
 * Pure: the caller supplies the clock and remembers used signatures.
 */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureVerdict = { readonly valid: true; readonly signature: string } | { readonly valid: false; readonly reason: string };

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function signWebhookBody(secret: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex')}`;
}

export function verifyWebhookSignature(
  secret: string,
  headers: { timestamp?: string; signature?: string },
  rawBody: string,
  now: Date,
): SignatureVerdict {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) return { valid: false, reason: 'missing X-Timestamp or X-Signature' };
  if (!/^\d{1,12}$/.test(timestamp)) return { valid: false, reason: 'malformed X-Timestamp' };
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) return { valid: false, reason: 'stale timestamp' };
  if (!/^sha256=[0-9a-f]{64}$/i.test(signature)) return { valid: false, reason: 'malformed X-Signature' };
  const expected = Buffer.from(signWebhookBody(secret, timestamp, rawBody).slice(7), 'hex');
  const presented = Buffer.from(signature.slice(7), 'hex');
  if (!timingSafeEqual(expected, presented)) return { valid: false, reason: 'signature mismatch' };
  return { valid: true, signature: signature.slice(7).toLowerCase() };
}
