import { randomBytes } from 'node:crypto';
import * as z from 'zod';

/**
 * A tenant's AWS integration (layer 4): which client account and role runbooks run in.
 * The External ID is the MSP's, never the client's: generated here, unique across tenants,
 * and never read from a request.
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
