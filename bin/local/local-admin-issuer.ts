import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/**
 * Under `npm start` the server is its own identity provider for MSP staff: it signs admin
 * tokens with a key pair made at start and publishes the public key as a JWKS, which the
 * admin authorizer fetches exactly as it fetches Cognito's in AWS.
 */
export interface LocalAdminIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksPath: string;
  readonly jwks: { keys: JWK[] };
  issueToken(subject?: string): Promise<string>;
}

export const LOCAL_ADMIN_AUDIENCE = 'alert-whisperer-local';
export const LOCAL_JWKS_PATH = '/local/.well-known/jwks.json';

export async function createLocalAdminIssuer(baseUrl: string): Promise<LocalAdminIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'local-admin', alg: 'ES256', use: 'sig' };
  const issuer = `${baseUrl}/local`;
  return {
    issuer,
    audience: LOCAL_ADMIN_AUDIENCE,
    jwksPath: LOCAL_JWKS_PATH,
    jwks: { keys: [publicJwk] },
    issueToken: (subject = 'local-admin') =>
      new SignJWT({ 'cognito:groups': ['msp-admin'], token_use: 'access' })
        .setProtectedHeader({ alg: 'ES256', kid: 'local-admin' })
        .setIssuer(issuer)
        .setAudience(LOCAL_ADMIN_AUDIENCE)
        .setSubject(subject)
        .setIssuedAt()
        .setExpirationTime('12h')
        .sign(privateKey),
  };
}
