import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ENV, optionalEnv, requiredEnv } from '../runtime/environment';

/**
 * MSP staff tokens: a JWT from the stack's Cognito user pool (or an OIDC issuer given at
 * deploy, or, under `npm start`, the local server), verified by `jose` against the issuer's
 * published keys. API keys are never admin credentials: they are not JWTs and fail here.
 */
export interface AdminTokenVerifierConfig {
  readonly issuer: string;
  /** Cognito app client id (`client_id` of access tokens, `aud` of id tokens) or the OIDC audience. */
  readonly audience: string;
  readonly keys: JWTVerifyGetKey;
  /** @default 'cognito:groups' */
  readonly groupsClaim?: string;
  /** @default 'msp-admin' */
  readonly requiredGroup?: string;
}

export interface VerifiedAdmin {
  readonly subject: string;
}

export class AdminTokenRejected extends Error {}

function audiences(payload: JWTPayload): string[] {
  const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  return typeof payload.client_id === 'string' ? [...aud, payload.client_id] : aud;
}

function groups(payload: JWTPayload, claim: string): string[] {
  const value = payload[claim];
  if (Array.isArray(value)) return value.filter((group): group is string => typeof group === 'string');
  return typeof value === 'string' ? value.split(/[\s,]+/) : [];
}

export async function verifyAdminToken(token: string, config: AdminTokenVerifierConfig): Promise<VerifiedAdmin> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, config.keys, { issuer: config.issuer, algorithms: ['RS256', 'ES256'], clockTolerance: 5 }));
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) throw new AdminTokenRejected(error.code);
    throw error;
  }
  if (!audiences(payload).includes(config.audience)) throw new AdminTokenRejected('audience');
  if (!groups(payload, config.groupsClaim ?? 'cognito:groups').includes(config.requiredGroup ?? 'msp-admin')) {
    throw new AdminTokenRejected('group');
  }
  if (!payload.sub) throw new AdminTokenRejected('subject');
  return { subject: payload.sub };
}

let fromEnvironment: AdminTokenVerifierConfig | undefined;

/** The verifier configured by the stack (or the local server); the key set is fetched once and cached by jose. */
export function adminTokenVerifierConfig(): AdminTokenVerifierConfig {
  fromEnvironment ??= {
    issuer: requiredEnv(ENV.adminJwtIssuer),
    audience: requiredEnv(ENV.adminJwtAudience),
    keys: createRemoteJWKSet(new URL(optionalEnv(ENV.adminJwksUrl) ?? `${requiredEnv(ENV.adminJwtIssuer)}/.well-known/jwks.json`)),
    groupsClaim: optionalEnv(ENV.adminGroupsClaim),
    requiredGroup: optionalEnv(ENV.adminGroup),
  };
  return fromEnvironment;
}
