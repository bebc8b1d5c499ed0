import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { BuildMiddleware, MetadataBearer } from '@smithy/types';
import { BoundedLruCache } from '../cache/bounded-lru';
import { ADMIN_INDEX } from '../table/table-schema';
import type { TenantId } from '../table/tenant-id';
import { authorizationRequestsFor, type AuthorizationRequest } from './dynamodb-requests';
import { createDocumentClient } from './dynamodb-client';
import { adminReadPolicy, externalIdRegistryPolicy, TENANT_TAG_KEY, tenantDataAccessPolicy, type PolicyDocument } from './policy-documents';
import type { TableAccess } from './table-access';

/**
 * Layer 3 where STS does not exist (npm start, tests): every command a scoped client sends
 * is evaluated by `@cloud-copilot/iam-simulate` against the very policy document the stack
 * deploys, with the session's tags, and refused with `AccessDeniedException` where AWS would
 * refuse it. DynamoDB Local itself checks no IAM at all.
 */

export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_REGION = 'us-east-1';

export interface PolicySession {
  /** Role name, for the principal ARN and error messages. */
  readonly roleName: string;
  readonly sessionName: string;
  readonly policy: PolicyDocument;
  readonly principalTags: Readonly<Record<string, string>>;
}

export interface PolicyDecision {
  readonly session: PolicySession;
  readonly request: AuthorizationRequest;
  readonly resourceArn: string;
  readonly allowed: boolean;
}

export interface LocalTableAccessProps {
  readonly tableName: string;
  readonly endpoint: string;
  /** Observes every decision: the test suite counts them and fails on unexpected denials. */
  readonly onDecision?: (decision: PolicyDecision) => void;
}

export function localTableArn(tableName: string): string {
  return `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:table/${tableName}`;
}

export function resourceArnFor(request: AuthorizationRequest): string {
  const tableArn = localTableArn(request.tableName);
  return request.indexName ? `${tableArn}/index/${request.indexName}` : tableArn;
}

/** The simulation is pure in its inputs; remembering answers keeps the local API fast. */
const decisions = new BoundedLruCache<string, Promise<boolean>>(5_000);

export async function isAllowed(session: PolicySession, request: AuthorizationRequest): Promise<boolean> {
  const resourceArn = resourceArnFor(request);
  const cacheKey = JSON.stringify([session.policy, session.principalTags, request.action, resourceArn, request.leadingKeys]);
  let decision = decisions.get(cacheKey);
  if (!decision) {
    decision = simulate(session, request.action, resourceArn, request.leadingKeys);
    decisions.set(cacheKey, decision);
  }
  return decision;
}

async function simulate(session: PolicySession, action: string, resourceArn: string, leadingKeys: readonly string[]) {
  const contextVariables: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(session.principalTags)) contextVariables[`aws:PrincipalTag/${key}`] = value;
  if (leadingKeys.length > 0) contextVariables['dynamodb:LeadingKeys'] = [...new Set(leadingKeys)];
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${LOCAL_ACCOUNT_ID}:assumed-role/${session.roleName}/${session.sessionName}`,
        action,
        resource: { resource: resourceArn, accountId: LOCAL_ACCOUNT_ID },
        contextVariables,
      },
      identityPolicies: [{ name: session.roleName, policy: session.policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`policy simulation failed: ${result.errors.message}`);
  return result.overallResult === 'Allowed';
}

function accessDenied(session: PolicySession, request: AuthorizationRequest, resourceArn: string): DynamoDBServiceException {
  return new DynamoDBServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message:
      `User: arn:aws:sts::${LOCAL_ACCOUNT_ID}:assumed-role/${session.roleName}/${session.sessionName} ` +
      `is not authorized to perform: ${request.action} on resource: ${resourceArn} ` +
      'because no identity-based policy allows the action',
  });
}

function enforcePolicy(session: PolicySession, onDecision?: (decision: PolicyDecision) => void): BuildMiddleware<object, MetadataBearer> {
  return (next, context) => async (args) => {
    const commandName = (context as { commandName?: string }).commandName ?? 'UnknownCommand';
    for (const request of authorizationRequestsFor(commandName, args.input)) {
      const allowed = await isAllowed(session, request);
      const resourceArn = resourceArnFor(request);
      onDecision?.({ session, request, resourceArn, allowed });
      if (!allowed) throw accessDenied(session, request, resourceArn);
    }
    return next(args);
  };
}

/** A client that checks every request against `session`'s policy before DynamoDB Local sees it. */
export function policyEnforcedClient(
  props: Pick<LocalTableAccessProps, 'endpoint' | 'onDecision'>,
  session: PolicySession,
): DynamoDBDocumentClient {
  const client = createDocumentClient({
    endpoint: props.endpoint,
    region: LOCAL_REGION,
    // A key id per session, as STS would issue; DynamoDB Local runs with -sharedDb, so all of them
    // reach the same data. It accepts only letters and digits in key ids.
    credentials: { accessKeyId: `LOCAL${Buffer.from(session.sessionName).toString('hex').toUpperCase()}`, secretAccessKey: 'local' },
  });
  client.middlewareStack.add(enforcePolicy(session, props.onDecision), {
    step: 'build',
    name: 'localPolicyEnforcement',
    priority: 'high',
  });
  return client;
}

export function tenantSession(tableName: string, tenantId: TenantId): PolicySession {
  return {
    roleName: 'TenantDataAccessRole',
    sessionName: `tenant-${tenantId}`,
    policy: tenantDataAccessPolicy({ tableArn: localTableArn(tableName) }),
    principalTags: { [TENANT_TAG_KEY]: tenantId },
  };
}

export function adminReadSession(tableName: string): PolicySession {
  return {
    roleName: 'AdminReadRole',
    sessionName: 'admin-read',
    policy: adminReadPolicy({ adminIndexArn: `${localTableArn(tableName)}/index/${ADMIN_INDEX.name}` }),
    principalTags: {},
  };
}

export function externalIdRegistrySession(tableName: string): PolicySession {
  return {
    roleName: 'ExternalIdRegistryRole',
    sessionName: 'external-id-registry',
    policy: externalIdRegistryPolicy({ tableArn: localTableArn(tableName) }),
    principalTags: {},
  };
}

/** Table access for `npm start` and the tests: the AWS sessions, emulated faithfully. */
export function localTableAccess(props: LocalTableAccessProps): TableAccess {
  const tenantClients = new BoundedLruCache<TenantId, DynamoDBDocumentClient>(1_000);
  let adminClient: DynamoDBDocumentClient | undefined;
  let registryClient: DynamoDBDocumentClient | undefined;
  return {
    tableName: props.tableName,
    forTenant(tenantId) {
      let client = tenantClients.get(tenantId);
      if (!client) {
        client = policyEnforcedClient(props, tenantSession(props.tableName, tenantId));
        tenantClients.set(tenantId, client);
      }
      return client;
    },
    forAdminIndex() {
      adminClient ??= policyEnforcedClient(props, adminReadSession(props.tableName));
      return adminClient;
    },
    forExternalIdRegistry() {
      registryClient ??= policyEnforcedClient(props, externalIdRegistrySession(props.tableName));
      return registryClient;
    },
  };
}
