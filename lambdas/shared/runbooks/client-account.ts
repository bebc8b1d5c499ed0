import { SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { SESSION_DURATION_SECONDS } from '../access/session-credentials';
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

const stsClients = new Map<string, STSClient>();

/** One client per Region for the life of the environment; the MSP's own Region (regional endpoint), or the client's where none is set (local runs). */
function defaultStsClient(target: ClientAccountTarget): STSClient {
  const region = process.env.AWS_REGION || target.region;
  let client = stsClients.get(region);
  if (!client) {
    client = new STSClient({ region });
    stsClients.set(region, client);
  }
  return client;
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

export async function assumeClientRole(
  target: ClientAccountTarget,
  tenantId: TenantId,
  now: Date,
  sts: STSClient = defaultStsClient(target),
): Promise<AwsCredentialIdentity> {
  const answer = await sts
    .send(
      new AssumeRoleCommand({
        RoleArn: target.roleArn,
        ExternalId: target.externalId,
        RoleSessionName: roleSessionName(tenantId, now),
        // 15 minutes, STS's minimum: a task needs seconds, and a leaked session should die soon.
        DurationSeconds: SESSION_DURATION_SECONDS,
      }),
    )
    .catch((error: unknown) => {
      throw assumeRoleError(error);
    });
  const credentials = answer.Credentials;
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
    throw new AssumeRoleFailed('AssumeRole failed - STS returned no credentials');
  }
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration: credentials.Expiration,
  };
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
