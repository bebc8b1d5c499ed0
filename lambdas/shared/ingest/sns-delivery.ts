import { ExpiringLruCache } from '../cache/bounded-lru';
import { isTrustedSnsUrl, verifySnsMessage, type SnsEnvelope } from '../domain/sources';
import { ServiceUnavailableError, UnauthorizedError } from '../http/errors';
import { logger } from '../observability/logger';
import { ENV, optionalEnv } from '../runtime/environment';

/**
 * The I/O around SNS deliveries to `POST /v1/alerts/cloudwatch`: fetching signing
 * certificates and confirming subscriptions. Injectable, so tests sign with their own key
 * pair and nothing here reaches the network in a test.
 */
export interface SnsTransport {
  fetchCertificate(url: string): Promise<string>;
  confirmSubscription(url: string): Promise<void>;
}

const FETCH_TIMEOUT_MS = 3_000;

async function httpsGet(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
  if (!response.ok) throw Object.assign(new Error(`SNS answered ${response.status}`), { name: 'ServiceUnavailable' });
  return response.text();
}

// Certificates rotate rarely; caching them keeps a storm of alarms from fetching one per message.
const certificates = new ExpiringLruCache<string, Promise<string>>(20, 3_600_000);

const httpsSnsTransport: SnsTransport = {
  fetchCertificate(url) {
    let certificate = certificates.get(url);
    if (!certificate) {
      certificate = httpsGet(url).catch((error: unknown) => {
        certificates.delete(url);
        throw error;
      });
      certificates.set(url, certificate);
    }
    return certificate;
  },
  async confirmSubscription(url) {
    await httpsGet(url);
  },
};

let transport: SnsTransport = httpsSnsTransport;

export function useSnsTransport(replacement: SnsTransport): void {
  transport = replacement;
}

/** On in AWS; `npm start` turns it off, having no route to SNS's certificates. */
export function snsSignatureVerificationEnabled(): boolean {
  return optionalEnv(ENV.snsSignatureVerification) !== 'off';
}

/** Refuses a delivery SNS did not sign (401), before anything is read from or written for it. */
export async function requireSnsSignature(envelope: SnsEnvelope): Promise<void> {
  if (!snsSignatureVerificationEnabled()) return;
  let signed: boolean;
  try {
    signed = await verifySnsMessage(envelope, (url) => transport.fetchCertificate(url));
  } catch (error) {
    throw new ServiceUnavailableError(5, error);
  }
  if (!signed) {
    logger.info('sns delivery refused', { reason: 'signature', topic_arn: envelope.TopicArn });
    throw new UnauthorizedError('The SNS message signature is not valid.');
  }
}

export type SubscriptionOutcome = 'confirmed' | 'not_confirmed_locally';

/** Confirms a subscription by visiting its SubscribeURL, only ever on Amazon SNS's own host. */
export async function confirmSnsSubscription(envelope: SnsEnvelope): Promise<SubscriptionOutcome> {
  const url = envelope.SubscribeURL ?? '';
  if (!isTrustedSnsUrl(url)) throw new UnauthorizedError('The subscription URL is not an Amazon SNS URL.');
  if (!snsSignatureVerificationEnabled()) {
    logger.warn('sns subscription not confirmed: local mode has no route to SNS', { topic_arn: envelope.TopicArn });
    return 'not_confirmed_locally';
  }
  try {
    await transport.confirmSubscription(url);
  } catch (error) {
    throw new ServiceUnavailableError(5, error);
  }
  logger.info('sns subscription confirmed', { topic_arn: envelope.TopicArn });
  return 'confirmed';
}
