import { hkdfSync } from 'node:crypto';
import { ENV, optionalEnv } from '../runtime/environment';

/**
 * The server's pepper: in AWS a Secrets Manager secret read once per cold start; under
 * `npm start`, a value the local server generated. Other keys (cursor signing) are derived
 * from it with HKDF, so there is one secret to protect and rotate.
 */
let pepper: Promise<Buffer> | undefined;

async function loadPepper(): Promise<Buffer> {
  const secretArn = optionalEnv(ENV.apiKeyPepperSecretArn);
  // Where the stack named a secret, the secret is the pepper: a stray environment variable never replaces it.
  if (!secretArn) {
    const local = optionalEnv(ENV.localApiKeyPepper);
    if (local) return Buffer.from(local, 'base64');
    throw new Error(`${ENV.apiKeyPepperSecretArn} is not set`);
  }
  // Loaded here, once, rather than at import: it is needed only to read the pepper at cold start.
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!SecretString || SecretString.length < 32) throw new Error('the API key pepper secret is missing or too short');
  return Buffer.from(SecretString, 'utf8');
}

export function apiKeyPepper(): Promise<Buffer> {
  pepper ??= loadPepper().catch((error: unknown) => {
    pepper = undefined;
    throw error;
  });
  return pepper;
}

const derived = new Map<string, Buffer>();

/** A key for one purpose (`cursor`, …), derived from the pepper so that the purposes never share a key. */
export async function derivedServerKey(purpose: string): Promise<Buffer> {
  const cached = derived.get(purpose);
  if (cached) return cached;
  const key = Buffer.from(hkdfSync('sha256', await apiKeyPepper(), Buffer.alloc(0), `alert-whisperer:${purpose}`, 32));
  derived.set(purpose, key);
  return key;
}

/** For tests and the local server when they change the pepper. */
export function forgetServerSecrets(): void {
  pepper = undefined;
  derived.clear();
}
