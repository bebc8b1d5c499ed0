import type { AlertInputBody } from '../lambdas/shared/domain/alert-input';

/**
 * The alert mix every bench phase sends: 50 assets × 7 signatures, random order from a
 * seeded PRNG (so two runs send the same alerts), and about 5% resolves, each of a
 * fingerprint that is firing at that moment (a resolve of nothing is not what monitoring sends).
 */

export interface MixOptions {
  readonly count: number;
  readonly seed: number;
  /** @default 50 */
  readonly assets?: number;
  /** @default 0.05 */
  readonly resolveShare?: number;
}

/** mulberry32: tiny, fast, and good enough to shuffle a workload; not for anything secret. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Seven signatures, each with the severity its check usually raises, as a monitoring tool configures them. */
const SIGNATURES: ReadonlyArray<{ readonly signature: string; readonly severity: AlertInputBody['severity']; readonly message: string }> = [
  { signature: 'cpu_high', severity: 'high', message: 'CPU utilisation above 95% for 5 minutes' },
  { signature: 'disk_full', severity: 'critical', message: 'Filesystem / is 97% full' },
  { signature: 'memory_pressure', severity: 'high', message: 'Available memory below 5%' },
  { signature: 'service_down', severity: 'critical', message: 'Health check failed 3 times in a row' },
  { signature: 'backup_failed', severity: 'medium', message: 'Nightly backup job exited with code 1' },
  { signature: 'cert_expiring', severity: 'low', message: 'TLS certificate expires in 14 days' },
  { signature: 'latency_p99', severity: 'medium', message: 'p99 latency above 800 ms' },
];
const SOURCES = ['prometheus', 'datadog'] as const;

export const SIGNATURE_COUNT = SIGNATURES.length;

export function alertMix(options: MixOptions): AlertInputBody[] {
  const random = seededRandom(options.seed);
  const assets = options.assets ?? 50;
  const resolveShare = options.resolveShare ?? 0.05;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const firing = new Set<string>();
  const alerts: AlertInputBody[] = [];
  const alertFor = (asset: number, signatureIndex: number, status: 'firing' | 'resolved'): AlertInputBody => {
    const { signature, severity, message } = SIGNATURES[signatureIndex];
    const assetName = `srv-${String(asset).padStart(3, '0')}.prod.example.net`;
    return {
      asset_name: assetName,
      signature,
      severity,
      status,
      source: pick(SOURCES),
      message: `${message} on ${assetName}`,
      labels: { env: 'prod', region: asset % 2 === 0 ? 'eu-west-1' : 'eu-central-1', team: `team-${asset % 5}`, check_id: `${signature}-${asset}` },
    };
  };
  while (alerts.length < options.count) {
    if (firing.size > 0 && random() < resolveShare) {
      const key = pick([...firing]);
      firing.delete(key);
      const [asset, signatureIndex] = key.split('/').map(Number);
      alerts.push(alertFor(asset, signatureIndex, 'resolved'));
      continue;
    }
    const asset = Math.floor(random() * assets);
    const signatureIndex = Math.floor(random() * SIGNATURES.length);
    firing.add(`${asset}/${signatureIndex}`);
    alerts.push(alertFor(asset, signatureIndex, 'firing'));
  }
  return alerts;
}

/** Runs `task` over `items` with at most `concurrency` in flight; results keep the items' order. */
export async function withConcurrency<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

export function percentile(sortedAscending: readonly number[], fraction: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  // Nearest rank: p99 of 500 samples is the 495th, a value that was actually observed.
  const rank = Math.max(1, Math.ceil(fraction * sortedAscending.length));
  return sortedAscending[rank - 1];
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 0.5);
}
