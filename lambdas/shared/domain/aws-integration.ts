import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { runbookByName, runbookNameSchema, type RunbookDefinition } from './runbook-catalog';

/**
 * A tenant's AWS integration (layer 4): which client account and role runbooks run in.
 * The External ID is the MSP's, never the client's: generated here, unique across tenants,
 * and never read from a request.
 *
 * Pure: no AWS client, no environment, no clock (callers pass `now`).
 */

/** 43 base64url characters (256 bits): inside STS's allowed set `[\w+=,.@:/-]` and its 2–1224 length. */
export function generateExternalId(): string {
  return randomBytes(32).toString('base64url');
}

export const awsIntegrationItemSchema = z.object({
  enabled: z.boolean(),
  account_id: z.string().optional(),
  role_arn: z.string().optional(),
  region: z.string().optional(),
  allowed_runbooks: z.array(z.string()).default([]),
  external_id: z.string(),
});
export type AwsIntegrationConfig = z.infer<typeof awsIntegrationItemSchema>;

/** What a tenant holds from the moment it is created: integration off, External ID ready for the client's trust policy. */
export function initialAwsIntegration(externalId: string): AwsIntegrationConfig {
  return { enabled: false, allowed_runbooks: [], external_id: externalId };
}

/**
 * Commercial (`aws` partition) Regions; the test suite holds this list equal to aws-cdk-lib's
 * region facts, so a CDK upgrade that knows a new Region fails a test until it is added here.
 * GovCloud and China are other partitions: the client role ARN would not be `arn:aws:`.
 */
export const AWS_COMMERCIAL_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'me-west-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
] as const;

export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/**
 * The role the client-side template creates, and the only role name the MSP's runbook tasks may
 * assume (at any path, in any account): a `role_arn` naming another would fail every AssumeRole.
 */
export const CLIENT_ROLE_NAME = 'AlertWhispererMSP';

/** IAM role ARN with an optional path; group 1 is the account, group 2 the role name (1–64 of `[\w+=,.@-]`). */
const ROLE_ARN_PATTERN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/){0,20}([\w+=,.@-]{1,64})$/;

/** The account a role ARN names, or undefined when it is no role ARN. */
export function accountOfRoleArn(roleArn: string): string | undefined {
  return ROLE_ARN_PATTERN.exec(roleArn)?.[1];
}

/**
 * `PUT /v1/config/aws-integration`. PUT replaces: a missing field takes its default. Unknown
 * fields (an `external_id` among them) are stripped by zod, so a request never chooses it.
 */
export const awsIntegrationRequestSchema = z
  .object({
    enabled: z.boolean({ error: 'must be true or false' }).default(false),
    account_id: z.string({ error: 'must be a string' }).regex(ACCOUNT_ID_PATTERN, 'must be a 12-digit AWS account id').optional(),
    role_arn: z
      .string({ error: 'must be a string' })
      .max(2048, 'must be at most 2048 characters')
      .superRefine((arn, context) => {
        const roleName = ROLE_ARN_PATTERN.exec(arn)?.[2];
        if (roleName === undefined) context.addIssue({ code: 'custom', message: `must be an IAM role ARN: arn:aws:iam::<account_id>:role/${CLIENT_ROLE_NAME}` });
        else if (roleName !== CLIENT_ROLE_NAME) context.addIssue({ code: 'custom', message: `must name the ${CLIENT_ROLE_NAME} role that the client template creates` });
      })
      .optional(),
    region: z.enum(AWS_COMMERCIAL_REGIONS, { error: 'must be an AWS Region code such as us-east-1' }).optional(),
    allowed_runbooks: z
      .array(runbookNameSchema)
      .transform((names) => [...new Set(names)])
      .default([]),
  })
  .superRefine((request, context) => {
    const required = new Set<'account_id' | 'role_arn' | 'region'>(request.enabled ? ['account_id', 'role_arn', 'region'] : []);
    if (request.role_arn !== undefined) required.add('account_id');
    for (const field of required) {
      if (request[field] === undefined) {
        context.addIssue({ code: 'custom', path: [field], message: request.enabled ? 'is required when enabled is true' : 'is required with role_arn' });
      }
    }
    // The role must live in the account the tenant named: a role elsewhere would run commands in an account nobody declared.
    // zod runs this even when a field failed its own check; compare only well-formed values so each mistake is named once.
    const roleAccount = request.role_arn === undefined ? undefined : accountOfRoleArn(request.role_arn);
    if (roleAccount !== undefined && request.account_id !== undefined && ACCOUNT_ID_PATTERN.test(request.account_id) && roleAccount !== request.account_id) {
      context.addIssue({ code: 'custom', path: ['role_arn'], message: 'must name a role in account_id (arn:aws:iam::<account_id>:role/<name>)' });
    }
  });
export type AwsIntegrationRequest = z.output<typeof awsIntegrationRequestSchema>;

/** The stored integration after a PUT: the request's writable fields, and the External ID the tenant already has. */
export function replacedAwsIntegration(current: AwsIntegrationConfig, request: AwsIntegrationRequest): AwsIntegrationConfig {
  return { ...request, external_id: current.external_id };
}

/** The integration as the API shows it (API.md): only these fields, whatever else the item holds. */
export function awsIntegrationResource(config: AwsIntegrationConfig) {
  const { enabled, account_id, role_arn, region, allowed_runbooks, external_id } = config;
  return { enabled, account_id, role_arn, region, allowed_runbooks, external_id };
}

/** An enabled, complete integration: everything AssumeRole and SendCommand need. */
export interface ClientAccountTarget {
  readonly accountId: string;
  readonly roleArn: string;
  readonly region: string;
  readonly externalId: string;
  readonly allowedRunbooks: readonly string[];
}

/** The client account runbooks run in, or null while the integration is missing, off or incomplete. */
export function enabledTarget(config: AwsIntegrationConfig | undefined): ClientAccountTarget | null {
  if (!config?.enabled || !config.account_id || !config.role_arn || !config.region) return null;
  return {
    accountId: config.account_id,
    roleArn: config.role_arn,
    region: config.region,
    externalId: config.external_id,
    allowedRunbooks: config.allowed_runbooks,
  };
}

/** The approved runbook `name` when this tenant allows it; null when it is off the allow-list or no longer in the catalog. */
export function allowedRunbook(target: ClientAccountTarget, name: string): RunbookDefinition | null {
  return target.allowedRunbooks.includes(name) ? runbookByName(name) : null;
}

/** STS: 2–64 characters of `[\w+=,.@-]`. */
const SESSION_NAME_MAX = 64;
const SESSION_NAME_PREFIX = 'AlertWhisperer-';

/**
 * `AlertWhisperer-<tenant>-<epoch seconds>`: CloudTrail in the client account shows which
 * tenant's runbook acted and when. The tenant part is shortened, never the epoch, so the
 * name stays unique per second and within STS's 64 characters.
 */
export function roleSessionName(tenantId: string, now: Date): string {
  const epoch = String(Math.floor(now.getTime() / 1000));
  const room = SESSION_NAME_MAX - SESSION_NAME_PREFIX.length - epoch.length - 1;
  const tenant = tenantId.replace(/[^\w+=,.@-]/g, '-').slice(0, room);
  return `${SESSION_NAME_PREFIX}${tenant}-${epoch}`;
}
