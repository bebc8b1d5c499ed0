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

export function secretsIn(text: string, extraSecrets: readonly string[] = []): string[] {
  const found = SECRET_PATTERNS.filter(([, pattern]) => pattern.test(text)).map(([name]) => name);
  for (const secret of extraSecrets) if (secret && text.includes(secret)) found.push('a known secret value');
  return found;
}
