import * as z from 'zod';

/** What an API key may do. Monitoring tools get `alerts:write` only. */
export const API_KEY_SCOPES = ['alerts:write', 'incidents:read', 'incidents:write', 'runbooks:execute', 'config:write'] as const;
export const apiKeyScopeSchema = z.enum(API_KEY_SCOPES);
export type ApiKeyScope = z.infer<typeof apiKeyScopeSchema>;

export const DEFAULT_API_KEY_SCOPES: readonly ApiKeyScope[] = ['alerts:write'];
