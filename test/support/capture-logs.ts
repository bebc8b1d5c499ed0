import { ENV } from '../../lambdas/shared/runtime/environment';
import { secretsIn } from './secret-patterns';

/**
 * Integration suites run with handlers logging at INFO, as in AWS, and every line they
 * write is captured here instead of printed. After each file, the suite fails if any line
 * holds a secret (API key, webhook secret, JWT, STS credential, the pepper).
 */
const captured: string[] = [];
const originalStdout = process.stdout.write.bind(process.stdout);
const originalStderr = process.stderr.write.bind(process.stderr);

function capture(chunk: unknown): boolean {
  const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
  captured.push(text);
  // AW_SHOW_LOGS=1 prints what was captured, for debugging a suite.
  if (process.env.AW_SHOW_LOGS) originalStderr(text);
  return true;
}

/** Writes a figure for the closing note past the capture (shown when AW_REPORT is set). */
export function report(line: string): void {
  if (process.env.AW_REPORT) originalStdout(`${line}\n`);
}

beforeAll(() => {
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
});

afterAll(() => {
  process.stdout.write = originalStdout;
  process.stderr.write = originalStderr;
  const text = captured.join('');
  const pepper = process.env[ENV.localApiKeyPepper];
  const leaks = secretsIn(text, pepper ? [pepper] : []);
  report(`log lines checked for secrets: ${text.split('\n').filter(Boolean).length}`);
  expect(leaks).toEqual([]);
});
