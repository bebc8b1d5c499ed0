import { monotonicFactory } from 'ulid';
import type { AlertInput } from '../domain/alert-input';
import { fingerprintOf } from '../domain/fingerprint';
import { ConflictError } from '../http/errors';
import { claimDelivery, completeDelivery } from '../table/deliveries';
import { CORRELATION_CONFIG, readConfig } from '../table/tenant-config';
import type { TenantId } from '../table/tenant-id';
import { MAX_ALERTS_PER_TRANSACTION, recordAlertRun, type AlertRun, type AlertToRecord, type RecordedAlert } from './record-alerts';

/** API.md's 202 answer. */
export interface IngestAnswer {
  readonly accepted: number;
  readonly alerts: RecordedAlert[];
}

/** Fingerprints recorded at once; alerts of one fingerprint go in order, one after another. */
const PARALLEL_FINGERPRINTS = 8;

const nextUlid = monotonicFactory();

async function inParallel<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/**
 * Splits a batch into runs: alerts of one fingerprint, in order, cut wherever the status
 * changes (a resolve must land between the firing alerts around it) or a transaction
 * would grow too large. Runs of different fingerprints are independent.
 */
export function alertRuns(alerts: readonly AlertToRecord[]): AlertRun[][] {
  const byFingerprint = new Map<string, AlertRun[]>();
  for (const alert of alerts) {
    const fingerprint = fingerprintOf(alert.input);
    const runs = byFingerprint.get(fingerprint) ?? [];
    const last = runs[runs.length - 1];
    if (last && last.status === alert.input.status && last.status === 'firing' && last.alerts.length < MAX_ALERTS_PER_TRANSACTION) {
      runs[runs.length - 1] = { ...last, alerts: [...last.alerts, alert] };
    } else {
      runs.push({ fingerprint, status: alert.input.status, alerts: [alert], receivedAt: alert.receivedAt });
    }
    byFingerprint.set(fingerprint, runs);
  }
  return [...byFingerprint.values()];
}

async function recordAll(
  tenantId: TenantId,
  alerts: readonly AlertInput[],
  alertIds: readonly string[],
  receivedAt: Date,
  delivery: { atomic: boolean },
): Promise<RecordedAlert[]> {
  const config = await readConfig(tenantId, CORRELATION_CONFIG);
  const context = { tenantId, config, newIncidentId: () => nextUlid(receivedAt.getTime()), atomic: delivery.atomic };
  const answers = new Map<string, RecordedAlert>();
  const fingerprints = alertRuns(alerts.map((input, index) => ({ id: alertIds[index], input, receivedAt })));
  await inParallel(
    fingerprints.map((runs) => async () => {
      for (const run of runs) for (const answer of await recordAlertRun(context, run)) answers.set(answer.id, answer);
    }),
    PARALLEL_FINGERPRINTS,
  );
  return alertIds.map((id) => answers.get(id) as RecordedAlert);
}

/**
 * Records a validated batch and answers for it. With a delivery id, a retry answers what
 * the first request answered and stores nothing new.
 */
export async function ingestAlerts(tenantId: TenantId, alerts: readonly AlertInput[], options: { deliveryId?: string; now: Date }): Promise<IngestAnswer> {
  let alertIds = alerts.map(() => nextUlid(options.now.getTime()));
  let receivedAt = options.now;
  if (options.deliveryId !== undefined) {
    const claim = await claimDelivery(tenantId, options.deliveryId, { alertIds, receivedAt });
    if (!claim.claimed) {
      if (claim.existing.state === 'completed') return claim.existing.answer as IngestAnswer;
      if (claim.existing.alert_ids.length !== alerts.length) {
        throw new ConflictError('delivery_id_reused', 'This X-Delivery-ID was used for a different body.');
      }
      // An earlier attempt stopped half-way: finish it with its own ids, which the writes recognise.
      alertIds = claim.existing.alert_ids;
      receivedAt = new Date(claim.existing.received_at);
    }
  }
  // Only a delivery the sender may retry with the same ids needs its runs written as transactions.
  const recorded = await recordAll(tenantId, alerts, alertIds, receivedAt, { atomic: options.deliveryId !== undefined });
  const answer: IngestAnswer = { accepted: alerts.length, alerts: recorded };
  if (options.deliveryId !== undefined) await completeDelivery(tenantId, options.deliveryId, answer);
  return answer;
}
