import * as z from 'zod';
import { API_KEY_SCOPES, apiKeyScopeSchema, DEFAULT_API_KEY_SCOPES } from '../auth/scopes';
import { tenantLimitsSchema, type TenantProfileItem } from '../table/items';
import { tenantIdSchema } from '../table/tenant-id';

/** Request bodies of the admin tenant routes. */
export const createTenantRequestSchema = z.object({
  id: tenantIdSchema,
  name: z.string().trim().min(1, 'must not be empty').max(256, 'must be at most 256 characters'),
});

export const createApiKeyRequestSchema = z.object({
  name: z.string().trim().min(1).max(128, 'must be at most 128 characters').optional(),
  scopes: z
    .array(apiKeyScopeSchema)
    .min(1, 'must name at least one scope')
    .transform((scopes) => [...new Set(scopes)])
    .default([...DEFAULT_API_KEY_SCOPES]),
  /** A key for a contractor or a trial can end by itself; without this it lasts until revoked. */
  expires_in_days: z.number().int('must be a whole number').min(1, 'must be at least 1').max(3650, 'must be at most 3650').optional(),
});

export const tenantLimitsRequestSchema = tenantLimitsSchema;

/** The first key of a tenant may do everything a tenant may: the MSP hands it to the client's admin. */
export const ALL_TENANT_SCOPES = [...API_KEY_SCOPES];

/** How a tenant appears in responses. */
export function tenantResource(profile: TenantProfileItem) {
  return { id: profile.tenant_id, name: profile.name, status: profile.status, created_at: profile.created_at, limits: profile.limits };
}
