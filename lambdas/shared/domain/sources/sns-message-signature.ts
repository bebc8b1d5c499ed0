import { createVerify } from 'node:crypto';
import type { SnsEnvelope } from './cloudwatch';

/**
 * Verification of SNS message signatures, so that only Amazon SNS can post CloudWatch
 * alarms or subscribe the endpoint:
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 * The certificate fetcher is injected, which keeps this module free of I/O and lets the
 * handler cache certificates.
 */

/** SNS signing certificates are served only from the regional SNS endpoints (`.cn` in China). */
const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/**
 * Whether a URL from a message (SigningCertURL, SubscribeURL) points at Amazon SNS over
 * HTTPS, and at `region`'s endpoint when given. Anything else is an attacker's server: a
 * forged certificate, or a request we would be tricked into sending.
 */
export function isTrustedSnsUrl(url: string, region?: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '' || parsed.port !== '') return false;
  const host = parsed.hostname;
  if (!SNS_HOST.test(host)) return false;
  return region === undefined || host === `sns.${region}.amazonaws.com` || host === `sns.${region}.amazonaws.com.cn`;
}

/** SignatureVersion 1 signs a SHA1 digest, 2 a SHA256 one. */
const SIGNATURE_ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ['1', 'RSA-SHA1'],
  ['2', 'RSA-SHA256'],
]);

// SNS signs these fields, in this order, as "Name\nvalue\n" each; Subject only when present.
const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/** The canonical string SNS signed; undefined when a field it must sign is missing. */
export function snsStringToSign(message: SnsEnvelope): string | undefined {
  const fields = message.Type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  let text = '';
  for (const field of fields) {
    const value = message[field];
    if (value === undefined || value === null) {
      if (field === 'Subject') continue;
      return undefined;
    }
    text += `${field}\n${value}\n`;
  }
  return text;
}

/** The region of `arn:aws:sns:<region>:<account>:<topic>`, whose endpoint must have signed the message. */
const topicRegion = (topicArn: string): string | undefined => /^arn:[^:]+:sns:([a-z0-9-]+):/.exec(topicArn)?.[1];

/** Fetches a PEM certificate (or public key) from a URL already checked with `isTrustedSnsUrl`. */
export type SnsCertificateFetcher = (url: string) => Promise<string>;

/**
 * Whether SNS signed this message. An untrusted certificate URL is refused without being
 * fetched. A failing fetch rejects instead of answering false: an unreachable SNS endpoint
 * is an outage to retry (503), not a forgery.
 */
export async function verifySnsMessage(message: SnsEnvelope, fetchCertificate: SnsCertificateFetcher): Promise<boolean> {
  const algorithm = SIGNATURE_ALGORITHMS.get(message.SignatureVersion);
  if (algorithm === undefined) return false;
  const region = topicRegion(message.TopicArn);
  if (!isTrustedSnsUrl(message.SigningCertURL, region) || !new URL(message.SigningCertURL).pathname.endsWith('.pem')) return false;
  if (message.Type !== 'Notification' && !isTrustedSnsUrl(message.SubscribeURL ?? '', region)) return false;
  const stringToSign = snsStringToSign(message);
  if (stringToSign === undefined) return false;

  const certificate = await fetchCertificate(message.SigningCertURL);
  try {
    return createVerify(algorithm).update(stringToSign, 'utf8').verify(certificate, message.Signature, 'base64');
  } catch {
    // A malformed certificate or signature proves nothing.
    return false;
  }
}
