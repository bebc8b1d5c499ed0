import * as z from 'zod';

/**
 * Tenant ids become part of every key (`TENANT#<id>`) and of the IAM condition
 * `TENANT#${aws:PrincipalTag/tenant_id}*`, so `#`, `*`, `?`, `/`, `_` and upper case are refused everywhere:
 * any of them could widen a key prefix or a policy pattern.
 */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,46}$/;

export const tenantIdSchema = z
  .string()
  .regex(TENANT_ID_PATTERN, 'must be 2-47 characters of a-z, 0-9 and "-", starting with a letter or digit');

export type TenantId = z.infer<typeof tenantIdSchema>;

export function isTenantId(value: unknown): value is TenantId {
  return typeof value === 'string' && TENANT_ID_PATTERN.test(value);
}

/** Throws unless `value` is a valid tenant id: for boundaries where a bad id is a programming error, not input. */
export function assertTenantId(value: string): TenantId {
  if (!isTenantId(value)) throw new Error('invalid tenant id');
  return value;
}
