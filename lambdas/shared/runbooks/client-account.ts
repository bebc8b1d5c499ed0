import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { RoleSessionCredentials } from '../access/session-credentials';
import { roleSessionName, type ClientAccountTarget } from '../domain/aws-integration';
import { MANAGED_BY_TAG_KEY, MANAGED_BY_TAG_VALUE } from '../domain/runbook-catalog';
import type { TenantId } from '../table/tenant-id';
import {
  ASSUME_ROLE_DENIED_REASON,
  AssumeRoleFailed,
  ClientCommandFailed,
  isThrottling,
  Throttled,
} from './task-errors';

/**
 * A session in the client's account: AssumeRole on the tenant's role with the tenant's
 * External ID, then SSM in the tenant's Region with those credentials. Every task that
 * touches the client account builds its own: no client credential ever travels in the
 * workflow's state (Step Functions would keep it in the execution history).
 */

/**
 * Client-account sessions, cached per tenant, role and External ID (a changed integration is
 * a new key) and renewed a minute before they lapse: a warm task function assumes the client
 * role once per session, not once per poll, which keeps STS (whose AssumeRole throttle cannot
 * be raised) out of the way of a busy MSP. One cache per STS Region: the MSP's own (regional
 * endpoint), or the client's where none is set (local runs).
 */
const MAX_CLIENT_SESSIONS = 200;
const sessionsByRegion = new Map<string, RoleSessionCredentials>();

function clientSessions(target: ClientAccountTarget): RoleSessionCredentials {
  const region = process.env.AWS_REGION || target.region;
  let sessions = sessionsByRegion.get(region);
  if (!sessions) {
    sessions = new RoleSessionCredentials(new STSClient({ region }), MAX_CLIENT_SESSIONS);
    sessionsByRegion.set(region, sessions);
  }
  return sessions;
}

/** For tests: every task then assumes afresh. */
export function forgetClientSessions(): void {
  sessionsByRegion.clear();
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

/** An AssumeRole failure as the tenant should read it. */
function assumeRoleError(error: unknown): Error {
  if (isThrottling(error)) return new Throttled('AssumeRole', error);
  const name = errorName(error);
  // STS answers AccessDenied both for a wrong External ID and for a trust policy that does not name us: it will not say which.
  if (name === 'AccessDenied' || name === 'AccessDeniedException') return new AssumeRoleFailed(ASSUME_ROLE_DENIED_REASON, error);
  if (name === 'CredentialsProviderError') return new AssumeRoleFailed('AssumeRole failed - the MSP has no AWS credentials to call STS with', error);
  return new AssumeRoleFailed(`AssumeRole failed - ${name}`, error);
}

export async function assumeClientRole(target: ClientAccountTarget, tenantId: TenantId, now: Date): Promise<AwsCredentialIdentity> {
  try {
    return await clientSessions(target).get(JSON.stringify([tenantId, target.roleArn, target.externalId]), {
      roleArn: target.roleArn,
      externalId: target.externalId,
      // Names the tenant and the session's start in the client account's CloudTrail.
      sessionName: roleSessionName(tenantId, now),
    });
  } catch (error) {
    throw assumeRoleError(error);
  }
}

/** SSM in the client's Region, signed as the assumed client role. */
export async function clientSsm(target: ClientAccountTarget, tenantId: TenantId, now: Date): Promise<SSMClient> {
  return new SSMClient({ region: target.region, credentials: await assumeClientRole(target, tenantId, now) });
}

/** An SSM failure in the client account, named for the tenant (throttling for the workflow to retry). */
export function clientCommandError(operation: string, error: unknown): Error {
  if (isThrottling(error)) return new Throttled(operation, error);
  const name = errorName(error);
  const message = error instanceof Error ? error.message.slice(0, 300) : '';
  // The client role only reaches instances the client tagged: say so, it is the usual cause.
  const hint = name === 'AccessDeniedException' ? ` (is the instance tagged ${MANAGED_BY_TAG_KEY}=${MANAGED_BY_TAG_VALUE}?)` : '';
  return new ClientCommandFailed(`${operation} failed - ${name}: ${message}${hint}`, error);
}

export async function inClientAccount<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw clientCommandError(operation, error);
  }
}
