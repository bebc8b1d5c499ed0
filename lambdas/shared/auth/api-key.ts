import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isTenantId, type TenantId } from '../table/tenant-id';

/**
 * API key format: `awapi_<tenantId>_<keyId><secret>`.
 * - tenantId: tells the authorizer which tenant's scoped session may read the key record;
 *   tenant ids cannot contain `_`, so the first `_` after the prefix ends it.
 * - keyId: 16 hex characters naming the record `APIKEY#<keyId>`.
 * - secret: 32 base64url characters, 192 bits from the CSPRNG. Only its HMAC is stored.
 */
export const API_KEY_PREFIX = 'awapi_';
const KEY_ID_LENGTH = 16;
const SECRET_BYTES = 24;
const SECRET_LENGTH = 32;
const KEY_ID_PATTERN = /^[0-9a-f]{16}$/;

/** Whether `value` can name a key record (a path's `{key_id}`, say). */
export const isKeyId = (value: string): boolean => KEY_ID_PATTERN.test(value);
const SECRET_PATTERN = /^[A-Za-z0-9_-]{32}$/;

export interface ParsedApiKey {
  readonly tenantId: TenantId;
  readonly keyId: string;
  readonly secret: string;
}

export interface IssuedApiKey extends ParsedApiKey {
  /** The whole key, shown once to whoever created it and never stored. */
  readonly plaintext: string;
}

export function issueApiKey(tenantId: TenantId): IssuedApiKey {
  const keyId = randomBytes(KEY_ID_LENGTH / 2).toString('hex');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { tenantId, keyId, secret, plaintext: `${API_KEY_PREFIX}${tenantId}_${keyId}${secret}` };
}

/** Reads a presented key; anything that is not exactly the format is `undefined`, never an exception. */
export function parseApiKey(presented: string): ParsedApiKey | undefined {
  if (!presented.startsWith(API_KEY_PREFIX)) return undefined;
  const rest = presented.slice(API_KEY_PREFIX.length);
  const separator = rest.indexOf('_');
  if (separator < 0) return undefined;
  const tenantId = rest.slice(0, separator);
  const material = rest.slice(separator + 1);
  const keyId = material.slice(0, KEY_ID_LENGTH);
  const secret = material.slice(KEY_ID_LENGTH);
  if (!isTenantId(tenantId) || !KEY_ID_PATTERN.test(keyId) || secret.length !== SECRET_LENGTH || !SECRET_PATTERN.test(secret)) {
    return undefined;
  }
  return { tenantId, keyId, secret };
}

/**
 * HMAC-SHA-256 under the server's pepper, over tenant, key id and secret together: a
 * stolen table alone cannot be brute-forced, and a hash cannot be replayed on another
 * key record.
 */
export function hashKeySecret(key: ParsedApiKey, pepper: Buffer): string {
  return createHmac('sha256', pepper).update(`${key.tenantId}:${key.keyId}:${key.secret}`).digest('hex');
}

export function keySecretMatches(key: ParsedApiKey, storedHash: string, pepper: Buffer): boolean {
  const presented = Buffer.from(hashKeySecret(key, pepper), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
