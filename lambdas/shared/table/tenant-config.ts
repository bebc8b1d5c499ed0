import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import { scopedTableClient, tableName } from '../access/table-access';
import { ExpiringLruCache } from '../cache/bounded-lru';
import {
  correlationConfigSchema,
  DEFAULT_CORRELATION_CONFIG,
  DEFAULT_WEBHOOK_SECURITY,
  webhookSecurityItemSchema,
  type CorrelationConfig,
  type WebhookSecurityConfig,
} from '../domain/tenant-config';
import { writeWithAudit, type AuditEntry } from './audit';
import { configKey } from './keys';
import type { TenantId } from './tenant-id';

/**
 * Tenant settings (`CONFIG#<name>`), read on the hot ingest path through a short
 * in-memory cache: a change reaches other warm functions within CONFIG_CACHE_TTL_MS, and
 * the function that wrote it at once.
 */
export const CONFIG_CACHE_TTL_MS = 10_000;

interface ConfigDefinition<T> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
  readonly defaults: T;
}

export const CORRELATION_CONFIG: ConfigDefinition<CorrelationConfig> = {
  name: 'correlation',
  schema: correlationConfigSchema,
  defaults: DEFAULT_CORRELATION_CONFIG,
};

export const WEBHOOK_SECURITY_CONFIG: ConfigDefinition<WebhookSecurityConfig> = {
  name: 'webhook-security',
  schema: webhookSecurityItemSchema,
  defaults: DEFAULT_WEBHOOK_SECURITY,
};

/** Written whole at tenant creation (it carries the External ID), so it has no defaults to fall back to. */
export const AWS_INTEGRATION_CONFIG_NAME = 'aws-integration';

const cache = new ExpiringLruCache<string, unknown>(2_000, CONFIG_CACHE_TTL_MS);

/** The tenant's setting, or its defaults when the tenant never set it. */
export async function readConfig<T>(tenantId: TenantId, config: ConfigDefinition<T>): Promise<T> {
  const cacheKey = `${tenantId}/${config.name}`;
  const cached = cache.get(cacheKey);
  if (cached !== undefined) return cached as T;
  const { Item } = await scopedTableClient(tenantId).send(new GetCommand({ TableName: tableName(), Key: configKey(tenantId, config.name) }));
  const value = Item ? config.schema.parse(Item) : config.defaults;
  cache.set(cacheKey, value);
  return value;
}

/** Replaces the setting and writes its audit entry in the same transaction. */
export async function writeConfig<T extends object>(tenantId: TenantId, config: ConfigDefinition<T>, value: T, audit: AuditEntry): Promise<void> {
  const at = new Date().toISOString();
  await writeWithAudit(tenantId, { Put: { TableName: tableName(), Item: { ...configKey(tenantId, config.name), ...value, updated_at: at } } }, audit, at);
  cache.set(`${tenantId}/${config.name}`, value);
}

/** For tests that change config behind the cache's back. */
export function forgetCachedConfig(): void {
  cache.clear();
}

