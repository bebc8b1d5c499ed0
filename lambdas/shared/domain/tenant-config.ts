import * as z from 'zod';

/**
 * Tenant settings: request bodies and stored items. PUT replaces the writable fields; a
 * missing field takes its default (API.md).
 */
const MAX_CRITICAL_ASSETS_BYTES = 64 * 1024;

export const correlationConfigSchema = z.object({
  time_window_minutes: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1440, 'must be at most 1440').default(15),
  auto_correlate: z.boolean().default(true),
  critical_assets: z
    .array(z.string().trim().min(1, 'must not be empty').max(256, 'must be at most 256 characters'))
    .max(1000, 'at most 1000 critical assets')
    // The list rides on a config item read on every ingest (through a short cache) and an item holds at most 400 KB.
    .refine((assets) => Buffer.byteLength(assets.join(''), 'utf8') <= MAX_CRITICAL_ASSETS_BYTES, 'critical assets must total at most 64 KiB')
    .transform((assets) => [...new Set(assets)])
    .default([]),
});
export type CorrelationConfig = z.output<typeof correlationConfigSchema>;
export const DEFAULT_CORRELATION_CONFIG: CorrelationConfig = correlationConfigSchema.parse({});

export const webhookSecurityRequestSchema = z.object({
  hmac_enabled: z.boolean(),
  rotate_secret: z.boolean().default(false),
});

/** Stored: the secret lives only here, and leaves only in the answer that created it. */
export const webhookSecurityItemSchema = z.object({
  hmac_enabled: z.boolean(),
  secret: z.string().optional(),
  secret_created_at: z.string().optional(),
});
export type WebhookSecurityConfig = z.infer<typeof webhookSecurityItemSchema>;
export const DEFAULT_WEBHOOK_SECURITY: WebhookSecurityConfig = { hmac_enabled: false };
