import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import { UnauthorizedError } from '../http/errors';
import { tenantIdSchema, type TenantId } from '../table/tenant-id';
import { apiKeyScopeSchema, type ApiKeyScope } from './scopes';

/**
 * Who is calling, as the authorizers established it. API Gateway hands a handler only the
 * authorizer's context (strings), so that context is the sole source of the tenant: never
 * a header, path, query or body field of the request.
 */
export interface TenantCaller {
  readonly kind: 'tenant';
  readonly tenantId: TenantId;
  readonly keyId: string;
  readonly scopes: readonly ApiKeyScope[];
}

export interface AdminCaller {
  readonly kind: 'admin';
  /** The token's `sub`: who did it, for the audit log. */
  readonly subject: string;
}

export type Caller = TenantCaller | AdminCaller;

/** Authorizer context values must be strings, numbers or booleans: scopes travel space-separated. */
const tenantContextSchema = z.object({
  principalType: z.literal('tenant'),
  tenantId: tenantIdSchema,
  keyId: z.string().min(1),
  scopes: z.string().transform((joined, context) => {
    const scopes = joined.split(' ').filter(Boolean);
    const parsed = z.array(apiKeyScopeSchema).safeParse(scopes);
    if (!parsed.success) {
      context.addIssue({ code: 'custom', message: 'unknown scope' });
      return z.NEVER;
    }
    return parsed.data;
  }),
});

const adminContextSchema = z.object({ principalType: z.literal('admin'), subject: z.string().min(1) });

export type AuthorizerContext = Record<string, string>;

export function tenantAuthorizerContext(caller: Omit<TenantCaller, 'kind'>): AuthorizerContext {
  return { principalType: 'tenant', tenantId: caller.tenantId, keyId: caller.keyId, scopes: caller.scopes.join(' ') };
}

export function adminAuthorizerContext(caller: Omit<AdminCaller, 'kind'>): AuthorizerContext {
  return { principalType: 'admin', subject: caller.subject };
}

export function tenantCallerOf(event: APIGatewayProxyEvent): TenantCaller {
  const parsed = tenantContextSchema.safeParse(event.requestContext?.authorizer ?? {});
  if (!parsed.success) throw new UnauthorizedError();
  const { tenantId, keyId, scopes } = parsed.data;
  return { kind: 'tenant', tenantId, keyId, scopes };
}

export function adminCallerOf(event: APIGatewayProxyEvent): AdminCaller {
  const parsed = adminContextSchema.safeParse(event.requestContext?.authorizer ?? {});
  if (!parsed.success) throw new UnauthorizedError();
  return { kind: 'admin', subject: parsed.data.subject };
}
