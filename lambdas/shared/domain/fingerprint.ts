import { createHash } from 'node:crypto';
import type { AlertInput } from './alert-input';

/**
 * The identity of "the same problem": the source's own dedup key where it sends one,
 * else a hash of asset and signature. Hashed in both cases so that any sender string
 * (`#`, unicode, 256 chars) becomes a short, key-safe value.
 */
export function fingerprintOf(alert: Pick<AlertInput, 'asset_name' | 'signature' | 'dedup_key' | 'source'>): string {
  // JSON encoding keeps the parts apart whatever characters they contain.
  const identity = JSON.stringify(alert.dedup_key !== undefined ? ['dedup', alert.source, alert.dedup_key] : ['asset', alert.asset_name, alert.signature]);
  return createHash('sha256').update(identity, 'utf8').digest('hex').slice(0, 32);
}
