import './env';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal, type DynamoDbLocal } from '../bin/local/dynamodb-local';
import { measureBundles } from './bundles';
import { measureCapacity } from './capacity';
import { measureLatency } from './latency';
import { machineInfo, report, type PhaseResults } from './report';
import { measureStsCalls } from './sts';
import { measureThroughput } from './throughput';
import { alertMix } from './workload';

/**
 * `npm run bench`: the figures of issue 7, measured here, end to end, in under ~3 minutes.
 * Phases run one after another (two cores: anything running alongside would be measured
 * too); the CPU-heavy synth and the process-start timings run before DynamoDB Local exists.
 * Everything started here is stopped here, also on Ctrl-C.
 */

const REPO_DIR = join(__dirname, '..');
const RESULTS_FILE = join(__dirname, 'results.json');

/** Fixed seeds: two runs send the same alerts in the same order. */
const SEEDS = { capacity: 7, latency: 11, throughputWarmup: 13, throughput: 17 } as const;

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function phase<T>(results: PhaseResults, name: string, run: () => Promise<T>): Promise<T | undefined> {
  const started = Date.now();
  progress(`${name}…`);
  try {
    const result = await run();
    progress(`${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  } catch (error) {
    results.errors[name] = error instanceof Error ? error.message : String(error);
    progress(`${name} FAILED after ${((Date.now() - started) / 1000).toFixed(1)} s: ${results.errors[name]}`);
    return undefined;
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const machine = machineInfo();
  const results: PhaseResults = { errors: {} };

  results.bundles = await phase(results, 'bundles (cdk synth + cold starts)', () => measureBundles(REPO_DIR));
  results.sts = await phase(results, 'sts', () => measureStsCalls({ requests: 1_000, tenants: 10, concurrency: 8 }));

  let dynamoDb: DynamoDbLocal | undefined;
  const stopDynamoDb = () => dynamoDb?.stop();
  const onSignal = () => void Promise.resolve(stopDynamoDb()).finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    dynamoDb = await startDynamoDbLocal();
    const endpoint = dynamoDb.endpoint;
    results.capacity = await phase(results, 'capacity', () => measureCapacity(endpoint, alertMix({ count: 1_000, seed: SEEDS.capacity })));
    results.latency = await phase(results, 'latency', () => {
      const alerts = alertMix({ count: 550, seed: SEEDS.latency });
      return measureLatency(endpoint, alerts.slice(0, 50), alerts.slice(50));
    });
    results.throughput = await phase(results, 'throughput', () =>
      measureThroughput({
        endpoint,
        warmup: alertMix({ count: 200, seed: SEEDS.throughputWarmup }),
        timed: alertMix({ count: 1_200, seed: SEEDS.throughput }),
        rounds: 3,
        concurrency: 8,
      }),
    );
  } catch (error) {
    results.errors['dynamodb-local'] = error instanceof Error ? error.message : String(error);
  } finally {
    await stopDynamoDb();
  }

  machine.loadAverageEnd = loadavg()[0];
  progress(`all phases in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  report(results, machine, RESULTS_FILE);
  return Object.keys(results.errors).length > 0 ? 1 : 0;
}

main().then(
  // Exit explicitly: keep-alive sockets of SDK and fetch would otherwise hold the process open for a while.
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
