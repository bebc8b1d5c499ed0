import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { median } from './workload';

/**
 * Every function bundle the CDK app synthesizes: its size, and how much longer a fresh
 * `node` takes to start when it requires the bundle than when it runs nothing. A bundle that
 * requires `@aws-sdk/*` packages at load (left external: Lambda's Node 22 runtime provides
 * them) is timed with NODE_PATH at the repo's node_modules, so they load from disk as in
 * Lambda; a bundle that requires none at load is timed with no NODE_PATH, which proves it
 * self-contained. What a bundle requires at load is observed, not read from its text: a
 * lazy `import()` or an optional `require` in a `try` (the SDK's CRT probe) is not loaded.
 */

export interface BundleFigure {
  /** The function's construct path, e.g. `AlertWhisperer/Functions/Alerts`. */
  readonly name: string;
  /** The asset directory in the cloud assembly (its name is the bundle's hash). */
  readonly asset: string;
  readonly kb: number;
  readonly medianMs: number;
  /** medianMs / the median of `node -e 0`. */
  readonly coldStartRatio: number;
  /** The external `@aws-sdk/*` packages the bundle requires at load (loaded from disk, not part of its size). */
  readonly sdkPackages: string[];
  /** Median start of a `node` that requires only those SDK packages: the part of the cold start the bundle does not contain. */
  readonly sdkOnlyMedianMs: number;
}

export interface BundleResult {
  readonly bundles: BundleFigure[];
  readonly baselineMedianMs: number;
  readonly runs: number;
  readonly synthSeconds: number;
}

interface TemplateResource {
  readonly Type?: string;
  readonly Metadata?: Record<string, unknown>;
}

function synthesize(repoDir: string, outDir: string): void {
  const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '-o', outDir], { cwd: repoDir, encoding: 'utf8', env: { ...process.env } });
  if (result.status !== 0) throw new Error(`cdk synth failed (${result.status}): ${(result.stderr || result.stdout).slice(-2_000)}`);
}

/** Function bundles named by their construct path, from the synthesized templates' asset metadata. */
function functionBundles(outDir: string): Array<{ name: string; file: string }> {
  const bundles: Array<{ name: string; file: string }> = [];
  for (const templateFile of readdirSync(outDir).filter((file) => file.endsWith('.template.json'))) {
    const template = JSON.parse(readFileSync(join(outDir, templateFile), 'utf8')) as { Resources?: Record<string, TemplateResource> };
    for (const resource of Object.values(template.Resources ?? {})) {
      const assetPath = resource.Metadata?.['aws:asset:path'];
      const cdkPath = resource.Metadata?.['aws:cdk:path'];
      if (resource.Type !== 'AWS::Lambda::Function' || typeof assetPath !== 'string') continue;
      const file = join(outDir, assetPath, 'index.js');
      bundles.push({ name: typeof cdkPath === 'string' ? cdkPath.replace(/\/Resource$/, '') : assetPath, file });
    }
  }
  // Every asset.*/index.js counts, even one no template names (a custom resource provider, say).
  const named = new Set(bundles.map((bundle) => bundle.file));
  for (const directory of readdirSync(outDir).filter((entry) => entry.startsWith('asset.'))) {
    const file = join(outDir, directory, 'index.js');
    if (!named.has(file) && statSync(join(outDir, directory)).isDirectory() && readdirSync(join(outDir, directory)).includes('index.js')) {
      bundles.push({ name: directory, file });
    }
  }
  return bundles;
}

/**
 * The external SDK packages a bundle requires while it loads, sorted (bundles with the same set
 * share one measurement): one `node` with NODE_PATH records every package the bundle itself
 * `require`s successfully. The SDK's own dependencies, loaded by those packages, are theirs.
 */
function sdkPackagesLoadedBy(file: string, env: NodeJS.ProcessEnv): string[] {
  const probe = `
    const Module = require('node:module');
    const bundle = ${JSON.stringify(file)};
    const loaded = new Set();
    const load = Module._load;
    Module._load = function (request, parent, isMain) {
      const exported = load.call(this, request, parent, isMain);
      if (parent && parent.filename === bundle && request.startsWith('@aws-sdk/')) loaded.add(request.split('/').slice(0, 2).join('/'));
      return exported;
    };
    require(bundle);
    process.stdout.write(JSON.stringify([...loaded].sort()));`;
  const result = spawnSync(process.execPath, ['-e', probe], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node could not load ${file}: ${result.stderr.slice(-1_000)}`);
  return JSON.parse(result.stdout) as string[];
}

const requireAll = (modules: readonly string[]): string => (modules.length > 0 ? modules.map((module) => `require(${JSON.stringify(module)})`).join(';') : '0');

function timeNode(args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr.slice(-1_000)}`);
  return elapsed;
}

export async function measureBundles(repoDir: string, runs = 7): Promise<BundleResult> {
  const outDir = mkdtempSync(join(tmpdir(), 'aw-bench-synth-'));
  try {
    const synthStarted = Date.now();
    synthesize(repoDir, outDir);
    const synthSeconds = (Date.now() - synthStarted) / 1000;
    const bundles = functionBundles(outDir);
    if (bundles.length === 0) throw new Error('cdk synth produced no function bundles');

    // A clean environment: no NODE_OPTIONS inherited from tsx, no NODE_PATH.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
    };
    // For what is left external: the SDK resolvable from disk, as Lambda's runtime provides it.
    const sdkEnv: NodeJS.ProcessEnv = { ...env, NODE_PATH: join(repoDir, 'node_modules') };
    const sdkSets = new Map(bundles.map((bundle) => [bundle.file, sdkPackagesLoadedBy(bundle.file, sdkEnv)]));
    // Every script is started `runs` times: the baseline, each bundle, and each distinct SDK set.
    const envOf = new Map<string, NodeJS.ProcessEnv>([['0', env]]);
    for (const bundle of bundles) {
      const sdkPackages = sdkSets.get(bundle.file) ?? [];
      envOf.set(requireAll([bundle.file]), sdkPackages.length > 0 ? sdkEnv : env);
      if (sdkPackages.length > 0) envOf.set(requireAll(sdkPackages), sdkEnv);
    }
    const scripts = [...envOf.keys()];
    const samples = new Map<string, number[]>(scripts.map((script) => [script, []]));
    // Alternated round by round, so a burst of load on the machine hits the baseline and the bundles alike.
    timeNode(['-e', '0'], env);
    for (let run = 0; run < runs; run += 1) {
      for (const script of scripts) samples.get(script)?.push(timeNode(['-e', script], envOf.get(script) ?? env));
    }
    const medianOf = (script: string) => median(samples.get(script) ?? []);
    const baselineMedianMs = medianOf('0');
    return {
      baselineMedianMs,
      runs,
      synthSeconds,
      bundles: bundles
        .map((bundle) => {
          const medianMs = medianOf(requireAll([bundle.file]));
          const sdkPackages = sdkSets.get(bundle.file) ?? [];
          return {
            name: bundle.name,
            asset: basename(dirname(bundle.file)),
            kb: statSync(bundle.file).size / 1024,
            medianMs,
            coldStartRatio: medianMs / baselineMedianMs,
            sdkPackages,
            sdkOnlyMedianMs: medianOf(requireAll(sdkPackages)),
          };
        })
        .sort((a, b) => b.kb - a.kb),
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
