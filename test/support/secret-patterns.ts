/**
 * What must never appear in a log line: API keys, webhook secrets, JWTs, STS/IAM
 * credentials, and the server pepper.
 */
export const SECRET_PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  ['API key', /awapi_[a-z0-9-]+_[0-9a-f]{16}[\w-]{32}/],
  ['webhook secret', /whsec_[\w-]{20,}/],
  ['JWT', /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}/],
  ['AWS access key id', /\b(AKIA|ASIA)[A-Z0-9]{16}\b/],
  ['AWS secret or session token field', /"(SecretAccessKey|secretAccessKey|SessionToken|sessionToken)"\s*:\s*"[^"]+"/],
];

/** A secret value the test file itself made or was shown (a minted key, a webhook secret, a token). */
export interface KnownSecret {
  readonly label: string;
  readonly value: string;
}

export function secretsIn(text: string, extraSecrets: ReadonlyArray<string | KnownSecret> = []): string[] {
  const found = SECRET_PATTERNS.filter(([, pattern]) => pattern.test(text)).map(([name]) => name);
  for (const secret of extraSecrets) {
    const { label, value } = typeof secret === 'string' ? { label: 'a known secret value', value: secret } : secret;
    if (value && text.includes(value) && !found.includes(label)) found.push(label);
  }
  return found;
}

// ---------------------------------------------------------------------------------------
// The file's registry of secrets, read by the log check (capture-logs.ts). It lives on the
// test file's global object, so every module instance of this file in one test file (setup
// files, helpers, the test) shares it, and each test file starts with an empty one.

interface FileSecrets {
  readonly secrets: Map<string, KnownSecret>;
  handlerCalls: number;
}

const REGISTRY = Symbol.for('alert-whisperer.test.file-secrets');
type WithRegistry = typeof globalThis & { [REGISTRY]?: FileSecrets };

function registry(): FileSecrets {
  const global = globalThis as WithRegistry;
  return (global[REGISTRY] ??= { secrets: new Map(), handlerCalls: 0 });
}

/** Fewer characters than this would match ordinary text by chance: never registered. */
const SHORTEST_SECRET = 16;

export function rememberSecret(label: string, value: string | undefined | null): void {
  if (typeof value !== 'string' || value.length < SHORTEST_SECRET) return;
  registry().secrets.set(value, { label, value });
}

/**
 * An API key (`awapi_<tenant>_<key id><secret>`): the whole key, its material after the
 * tenant, and the 32-character secret alone. The 16-hex key id alone is no secret (it is
 * logged as `key_id` on purpose), so it is not registered.
 */
export function rememberApiKey(key: string | undefined | null): void {
  if (typeof key !== 'string') return;
  rememberSecret('a minted API key', key);
  const material = key.match(/^awapi_[^_]+_(.+)$/)?.[1];
  if (!material) return;
  rememberSecret('a minted API key’s material', material);
  if (material.length > 16) rememberSecret('a minted API key’s secret', material.slice(16));
}

/**
 * Secrets found anywhere in an answer's JSON: `key` (an API key shown once), `secret`
 * (a webhook signing secret shown once), `token` (an admin JWT).
 */
export function rememberSecretsInAnswer(body: unknown): void {
  if (Array.isArray(body)) {
    for (const item of body) rememberSecretsInAnswer(item);
    return;
  }
  if (!body || typeof body !== 'object') return;
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === 'string') {
      if (value.startsWith('awapi_')) rememberApiKey(value);
      else if (name === 'secret') rememberSecret('a webhook secret shown in an answer', value);
      else if (name === 'token') rememberSecret('a token shown in an answer', value);
    } else rememberSecretsInAnswer(value);
  }
}

export function knownSecrets(): KnownSecret[] {
  return [...registry().secrets.values()];
}

/** A route handler ran in this file (through `call` or the local API): handlers log every request. */
export function noteHandlerCall(): void {
  registry().handlerCalls += 1;
}

export function handlerCalls(): number {
  return registry().handlerCalls;
}
