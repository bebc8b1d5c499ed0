import { writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import type { BundleResult } from './bundles';
import type { AlertOutcome, CapacityResult } from './capacity';
import type { CapacityTally } from './capacity-meter';
import type { LatencyResult } from './latency';
import type { StsResult } from './sts';
import type { ThroughputResult } from './throughput';

/**
 * Turns the phases' results into the issue's figures: `name: value` lines, a short table,
 * and `bench/results.json` with the same figures, their goals, and the machine.
 */

export interface PhaseResults {
  capacity?: CapacityResult;
  throughput?: ThroughputResult;
  sts?: StsResult;
  bundles?: BundleResult;
  latency?: LatencyResult;
  /** Phase name → error message, for phases that failed: their figures are null, never guessed. */
  readonly errors: Record<string, string>;
}

interface Goal {
  readonly op: '<=' | '>=';
  readonly target: number;
}

const GOALS: Readonly<Record<string, Goal>> = {
  wru_per_correlated_alert: { op: '<=', target: 2.5 },
  wru_per_new_incident_alert: { op: '<=', target: 5 },
  rru_per_alert: { op: '<=', target: 1 },
  ingest_ratio_vs_raw_put: { op: '>=', target: 0.7 },
  sts_calls_per_1000_requests: { op: '<=', target: 10 },
  max_bundle_kb: { op: '<=', target: 400 },
  cold_start_ratio: { op: '<=', target: 1.5 },
};

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly node: string;
  readonly os: string;
  readonly date: string;
  /** 1-minute load average at start and end: other work on the machine moves every timing figure. */
  readonly loadAverageStart: number;
  loadAverageEnd?: number;
}

export function machineInfo(): MachineInfo {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${platform()} ${release()}`,
    date: new Date().toISOString(),
    loadAverageStart: loadavg()[0],
  };
}

const average = (values: readonly number[]): number | null => (values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : null);
const perAlert = (units: number, alerts: number): number | null => (alerts > 0 ? units / alerts : null);

function capacityFigures(capacity: CapacityResult | undefined): Record<string, number | null> {
  if (!capacity) {
    return Object.fromEntries(
      [
        'wru_per_correlated_alert',
        'wru_per_new_incident_alert',
        'wru_per_resolve_alert',
        'rru_per_alert',
        'rru_per_alert_incl_authorizer',
        'wru_per_correlated_alert_long_incident',
      ].map(
        (name) => [name, null],
      ),
    );
  }
  const { byOutcome } = capacity;
  const wru = (outcome: AlertOutcome) => perAlert(byOutcome[outcome].tally.writeUnits(), byOutcome[outcome].alerts);
  return {
    wru_per_correlated_alert: wru('correlated'),
    wru_per_new_incident_alert: wru('new_incident'),
    wru_per_resolve_alert: wru('resolve'),
    rru_per_alert: perAlert(capacity.handler.readUnits(), capacity.alerts),
    rru_per_alert_incl_authorizer: perAlert(capacity.handler.readUnits() + capacity.authorizer.readUnits(), capacity.alerts),
    wru_per_correlated_alert_long_incident: average(capacity.longIncidentWru.slice(-10)),
  };
}

export function figuresOf(results: PhaseResults): Record<string, number | null> {
  const { throughput, sts, bundles, latency } = results;
  const maxOf = (values: number[] | undefined) => (values && values.length > 0 ? Math.max(...values) : null);
  return {
    ...capacityFigures(results.capacity),
    ingest_ratio_vs_raw_put: throughput?.ratio ?? null,
    http_ingest_alerts_per_s: throughput?.httpAlertsPerSecond ?? null,
    raw_put_update_alerts_per_s: throughput?.rawPutUpdateAlertsPerSecond ?? null,
    raw_put_item_per_s: throughput?.rawPutItemsPerSecond ?? null,
    // Splits the ratio's gap: what the design asks of DynamoDB (design ÷ floor) and what the layers around it cost (HTTP ÷ design).
    raw_same_requests_alerts_per_s: throughput?.rawDesignAlertsPerSecond ?? null,
    design_ratio_vs_raw_put: throughput ? throughput.rawDesignAlertsPerSecond / throughput.rawPutUpdateAlertsPerSecond : null,
    sts_calls_per_1000_requests: sts?.callsPer1000Requests ?? null,
    max_bundle_kb: maxOf(bundles?.bundles.map((bundle) => bundle.kb)),
    cold_start_ratio: maxOf(bundles?.bundles.map((bundle) => bundle.coldStartRatio)),
    p50_ms: latency?.p50Ms ?? null,
    p99_ms: latency?.p99Ms ?? null,
  };
}

function format(value: number | null): string {
  if (value === null) return 'n/a';
  if (Math.abs(value) >= 100) return value.toFixed(1);
  return value.toFixed(Math.abs(value) >= 10 ? 2 : 3);
}

const metGoal = (value: number | null, goal: Goal): boolean | null => (value === null ? null : goal.op === '<=' ? value <= goal.target : value >= goal.target);

function describeTally(tally: CapacityTally, alerts: number): string {
  return [...tally.byCommand.entries()]
    .map(([command, entry]) => {
      const scale = (units: number) => format(units / alerts);
      const targets = [...entry.byTarget.entries()].map(([target, units]) => `${target} ${scale(units)}`).join(', ');
      const failed = entry.failures > 0 ? `, ${entry.failures} failed` : '';
      return `${command.replace(/Command$/, '')} ×${format(entry.calls / alerts)} = ${scale(entry.units)} CU (${targets})${failed}`;
    })
    .join('; ');
}

function capacityNotes(capacity: CapacityResult): string[] {
  const notes = [
    'capacity: plain writes only (no X-Delivery-ID), whose units DynamoDB Local reports as AWS charges them. The exactly-once path writes the same items as one transaction, which AWS charges double, plus the delivery claim and its completion: 1 + 2×2 + 1 = 6 WRU per correlated alert (DynamoDB Local reports transactions unlike AWS, so it is derived, not metered).',
    `capacity mix: ${capacity.alerts} alerts, one per request: ${capacity.byOutcome.correlated.alerts} correlated, ${capacity.byOutcome.new_incident.alerts} opened an incident, ${capacity.byOutcome.resolve.alerts} resolves (${capacity.unmatchedResolves} with no open incident).`,
  ];
  for (const outcome of ['correlated', 'new_incident', 'resolve'] as const) {
    const { alerts, tally } = capacity.byOutcome[outcome];
    if (alerts > 0) notes.push(`per ${outcome} alert (INDEXES breakdown): ${describeTally(tally, alerts)}`);
  }
  const wru = capacity.longIncidentWru;
  const stepUp = wru.findIndex((units, index) => index > 1 && units > wru[1]);
  notes.push(
    `long incident (${wru.length} alerts of one fingerprint; WRU per alert: ${wru.join(' ')}): ` +
      (stepUp > 0 ? `from alert ${stepUp + 1} on, the incident item outgrows 1 KB and each correlated alert costs ${wru[stepUp]} instead of ${wru[1]}.` : 'the cost per correlated alert stays flat.'),
  );
  notes.push(`per request, API key authorizer (runs on every request while its cache TTL is 0): ${describeTally(capacity.authorizer, capacity.alerts)}`);
  if (capacity.handler.failures() > 0) notes.push(`${capacity.handler.failures()} DynamoDB requests failed during the capacity run; AWS charges them, but no response reports their units.`);
  return notes;
}

export function notesOf(results: PhaseResults): string[] {
  const notes: string[] = [];
  if (results.capacity) notes.push(...capacityNotes(results.capacity));
  const { throughput, sts, bundles, latency } = results;
  if (throughput) {
    notes.push(
      `throughput: ${throughput.alertsPerPath} single-alert requests per path in ${throughput.rounds} alternating rounds, concurrency ${throughput.concurrency}, one process (load generator, local server and raw client share one Node event loop; DynamoDB Local is a separate Java process). ` +
        `The bench tenant's limits were raised to ${throughput.tenantLimits.requests_per_second} req/s, burst ${throughput.tenantLimits.burst} (default 50/200) so that the throttle does not cap the figure. ${throughput.httpFailures} non-202 answers. ` +
        `raw_same_requests = the DynamoDB requests the ingest path sends for a repeat alert (the authorizer's consistent key read, the incident ADD, the alert row) sent by a plain client: design_ratio_vs_raw_put is what the design itself costs, http ÷ raw_same_requests what HTTP, authorizer, handler and local enforcement add.`,
    );
  }
  if (sts) notes.push(`sts: ${sts.requests} requests over ${sts.tenants} tenants, ${sts.concurrency} in flight, each a signed GetItem through stsTableAccess: ${sts.assumeRoleCalls} AssumeRole calls.`);
  if (bundles) {
    notes.push(
      `bundles: cdk synth ${bundles.synthSeconds.toFixed(0)} s; cold start = median of ${bundles.runs} fresh \`node -e "require(bundle)"\` runs ÷ median of \`node -e 0\` (${bundles.baselineMedianMs.toFixed(1)} ms), alternated; NODE_PATH=<repo>/node_modules only for bundles that require @aws-sdk/* at load, so those resolve to the installed SDK (Lambda's runtime provides it). KB = 1024 bytes. "SDK only" = a node that requires just the bundle's external @aws-sdk/* packages, ÷ the same baseline.`,
    );
  }
  if (latency) notes.push(`latency: ${latency.samples} sequential single-alert calls of the alerts handler in-process, warm; p90 ${format(latency.p90Ms)} ms, max ${format(latency.maxMs)} ms.`);
  for (const [phase, message] of Object.entries(results.errors)) notes.push(`phase ${phase} FAILED: ${message}`);
  return notes;
}

export function report(results: PhaseResults, machine: MachineInfo, outputFile: string): void {
  const figures = figuresOf(results);
  const notes = notesOf(results);
  for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${format(value)}`);

  console.log('');
  const rows = [['figure', 'value', 'goal', 'met']];
  for (const [name, goal] of Object.entries(GOALS)) {
    const met = metGoal(figures[name], goal);
    rows.push([name, format(figures[name]), `${goal.op} ${goal.target}`, met === null ? 'n/a' : met ? 'yes' : 'NO']);
  }
  for (const name of ['p50_ms', 'p99_ms']) rows.push([name, format(figures[name]), '-', '-']);
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const [index, row] of rows.entries()) {
    console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  '));
    if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  }

  if (results.bundles) {
    console.log('');
    const { baselineMedianMs } = results.bundles;
    console.log(`${'function bundle'.padEnd(42)} ${'size'.padStart(10)}  ${'start'.padStart(9)}  ${'ratio'.padStart(6)}  ${'SDK only'.padStart(9)}  external SDK`);
    for (const bundle of results.bundles.bundles) {
      console.log(
        `${bundle.name.padEnd(42)} ${`${bundle.kb.toFixed(1)} KB`.padStart(10)}  ${`${bundle.medianMs.toFixed(1)} ms`.padStart(9)}  ${`×${bundle.coldStartRatio.toFixed(2)}`.padStart(6)}  ` +
          `${`×${(bundle.sdkOnlyMedianMs / baselineMedianMs).toFixed(2)}`.padStart(9)}  ${bundle.sdkPackages.map((name) => name.replace('@aws-sdk/', '')).join(', ') || '-'}`,
      );
    }
  }
  console.log('');
  for (const note of notes) console.log(`note: ${note}`);
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}, ${machine.os}, load ${machine.loadAverageStart.toFixed(2)} → ${machine.loadAverageEnd?.toFixed(2)}`);

  const goals = Object.fromEntries(Object.entries(GOALS).map(([name, goal]) => [name, { ...goal, value: figures[name], met: metGoal(figures[name], goal) }]));
  const details = {
    capacity: results.capacity && {
      alerts: results.capacity.alerts,
      unmatched_resolves: results.capacity.unmatchedResolves,
      by_outcome: Object.fromEntries(
        Object.entries(results.capacity.byOutcome).map(([outcome, cost]) => [outcome, { alerts: cost.alerts, commands: tallyJson(cost.tally) }]),
      ),
      authorizer: tallyJson(results.capacity.authorizer),
    },
    throughput: results.throughput,
    sts: results.sts,
    bundles: results.bundles,
    latency: results.latency,
  };
  writeFileSync(outputFile, `${JSON.stringify({ figures, goals, machine, notes, details, errors: results.errors }, null, 2)}\n`);
}

function tallyJson(tally: CapacityTally) {
  return Object.fromEntries(
    [...tally.byCommand.entries()].map(([command, entry]) => [
      command,
      { calls: entry.calls, failures: entry.failures, units_as_reported: entry.units, by_target: Object.fromEntries(entry.byTarget) },
    ]),
  );
}
