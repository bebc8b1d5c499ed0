import { createHash } from 'node:crypto';
import type { AlertInput } from './alert-input';

/**
 * The identity of "the same problem": the source's own dedup key where it sends one,
 * else a hash of asset and signature. Hashed in both cases so that any sender string
 * (`#`, unicode, 256 chars) becomes a short, key-safe value.
 */
export function fingerprintOf(alert: Pick<AlertInput, 'asset_name' | 'signature' | 'dedup_key' | 'source'>): string {
  const identity = alert.dedup_key !== undefined ? `dedup\u0000${alert.source}\u0000${alert.dedup_key}` : `asset\u0000${alert.asset_name}\u0000${alert.signature}`;
  return createHash('sha256').update(identity, 'utf8').digest('hex').slice(0, 32);
}
