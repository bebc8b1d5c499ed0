import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { BoundedLruCache } from '../cache/bounded-lru';

/** Renew a minute early so that no request is signed with credentials about to lapse mid-flight. */
export const RENEW_BEFORE_EXPIRY_MS = 60_000;
/** AssumeRole from a Lambda role is role chaining: at most one hour; 15 minutes keeps a leaked session short. */
export const SESSION_DURATION_SECONDS = 900;

export interface RoleSessionRequest {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly tags?: ReadonlyArray<{ Key: string; Value: string }>;
  /** A client account's role (layer 4) is assumed with the tenant's External ID. */
  readonly externalId?: string;
}

/**
 * Credentials for role sessions, cached per cache key in a bounded LRU and renewed shortly
 * before they expire: a warm function calls STS about once per tenant per session lifetime.
 * Concurrent requests for the same key share one in-flight AssumeRole.
 */
export class RoleSessionCredentials {
  private readonly sessions: BoundedLruCache<string, Promise<AwsCredentialIdentity>>;

  constructor(
    /** @default a regional STSClient, created (and its SDK module loaded) on the first AssumeRole, not at cold start */
    private sts: Pick<STSClient, 'send'> | undefined,
    maxSessions: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sessions = new BoundedLruCache(maxSessions);
  }

  async get(cacheKey: string, request: RoleSessionRequest): Promise<AwsCredentialIdentity> {
    const cached = this.sessions.get(cacheKey);
    if (cached) {
      const credentials = await cached.catch(() => undefined);
      if (credentials && !this.needsRenewal(credentials)) return credentials;
      // Only the caller that still sees the stale entry replaces it; others reuse its promise.
      if (this.sessions.get(cacheKey) === cached) this.sessions.delete(cacheKey);
    }
    const pending = this.sessions.get(cacheKey) ?? this.assume(request);
    this.sessions.set(cacheKey, pending);
    try {
      return await pending;
    } catch (error) {
      if (this.sessions.get(cacheKey) === pending) this.sessions.delete(cacheKey);
      throw error;
    }
  }

  private needsRenewal(credentials: AwsCredentialIdentity): boolean {
    return !credentials.expiration || credentials.expiration.getTime() - RENEW_BEFORE_EXPIRY_MS <= this.now();
  }

  private async assume(request: RoleSessionRequest): Promise<AwsCredentialIdentity> {
    const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    this.sts ??= new STSClient({});
    const { Credentials } = await this.sts.send(
      new AssumeRoleCommand({
        RoleArn: request.roleArn,
        RoleSessionName: request.sessionName,
        DurationSeconds: SESSION_DURATION_SECONDS,
        Tags: request.tags ? [...request.tags] : undefined,
        ExternalId: request.externalId,
      }),
    );
    if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey || !Credentials.SessionToken || !Credentials.Expiration) {
      throw new Error('AssumeRole returned no credentials');
    }
    return {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
      sessionToken: Credentials.SessionToken,
      expiration: Credentials.Expiration,
    };
  }
}
