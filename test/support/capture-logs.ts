import { ENV } from '../../lambdas/shared/runtime/environment';
import { handlerCalls, knownSecrets, secretsIn } from './secret-patterns';

/**
 * Integration suites run with handlers logging at INFO, as in AWS, and every line they
 * write is captured here instead of printed. After each file, the suite fails if any line
 * holds a secret: by pattern (API key, webhook secret, JWT, STS credential), or by value
 * (the pepper, and every API key, key secret, webhook secret and token the file minted or
 * was shown, registered by the helpers in `api-events.ts` and `local-api.ts`).
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

/** Everything captured so far in this file, for a test that checks its own requests' lines. */
export function capturedLogText(): string {
  return captured.join('');
}

/** The structured (Powertools JSON) lines among `text`: what the handlers' logger writes. */
export function structuredLogLines(text: string): Array<Record<string, unknown>> {
  return text.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      const parsed: unknown = JSON.parse(line);
      return parsed && typeof parsed === 'object' && 'level' in parsed && 'message' in parsed ? [parsed as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

beforeAll(() => {
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
});

afterAll(() => {
  process.stdout.write = originalStdout;
  process.stderr.write = originalStderr;
  const text = capturedLogText();
  const pepper = process.env[ENV.localApiKeyPepper];
  const secrets = knownSecrets();
  const leaks = secretsIn(text, [...(pepper ? [{ label: 'the pepper', value: pepper }] : []), ...secrets]);
  const lines = text.split('\n').filter(Boolean).length;
  const structured = structuredLogLines(text).length;
  const calls = handlerCalls();
  report(`log lines checked for secrets: ${lines} (${structured} from the logger), against ${secrets.length} known secret values; route handlers run through the helpers: ${calls}`);
  expect(leaks).toEqual([]);
  // Every route handler logs each request at INFO ("request handled"), so a file whose helpers ran one and captured no logger line lost its logs.
  const lost = calls > 0 && structured === 0 ? `${calls} route handler calls ran, yet no logger line was captured: the logger writes elsewhere` : undefined;
  expect(lost).toBeUndefined();
});
