import * as z from 'zod';
import { apiKeyScopeSchema } from '../auth/scopes';
import { alertStatusSchema, severitySchema } from '../domain/alert-input';
import { tenantIdSchema } from './tenant-id';

/**
 * Every item the table stores, as zod schemas: what is written is typed from them and what
 * is read is parsed by them. Key attributes (PK, SK, GSI*) are added by the repositories
 * from `keys.ts` and are stripped when an item is parsed, so they never reach a response.
 */
const isoTime = z.string();

export const tenantLimitsSchema = z.object({
  requests_per_second: z.number().int().min(1).max(10_000),
  burst: z.number().int().min(1).max(20_000),
});
export type TenantLimits = z.infer<typeof tenantLimitsSchema>;
export const DEFAULT_TENANT_LIMITS: TenantLimits = { requests_per_second: 50, burst: 200 };

export const tenantProfileItemSchema = z.object({
  tenant_id: tenantIdSchema,
  name: z.string(),
  status: z.enum(['active']),
  created_at: isoTime,
  limits: tenantLimitsSchema.optional(),
  /** AWS only: the tenant's API Gateway usage plan, which enforces `limits`. */
  usage_plan_id: z.string().optional(),
  usage_key_id: z.string().optional(),
  usage_identifier: z.string().optional(),
});
export type TenantProfileItem = z.infer<typeof tenantProfileItemSchema>;

export const apiKeyItemSchema = z.object({
  key_id: z.string(),
  name: z.string().optional(),
  /** HMAC-SHA-256 of the secret under the server pepper; never the key itself. */
  hash: z.string(),
  scopes: z.array(apiKeyScopeSchema),
  status: z.enum(['active', 'revoked']),
  created_at: isoTime,
  revoked_at: isoTime.optional(),
  /** Refused from this instant on. */
  expires_at: isoTime.optional(),
  last_used_at: isoTime.optional(),
  /** AWS only: the tenant's usage plan key, returned by the authorizer so API Gateway throttles per tenant. */
  usage_identifier: z.string().optional(),
});
export type ApiKeyItem = z.infer<typeof apiKeyItemSchema>;

export const alertItemSchema = z.object({
  id: z.string(),
  tenant_id: tenantIdSchema,
  asset_name: z.string(),
  signature: z.string(),
  severity: severitySchema,
  message: z.string(),
  status: alertStatusSchema,
  source: z.string(),
  fingerprint: z.string(),
  incident_id: z.string().nullable(),
  occurred_at: isoTime,
  received_at: isoTime,
  labels: z.record(z.string(), z.string()),
});
export type AlertItem = z.infer<typeof alertItemSchema>;

export const INCIDENT_STATUSES = ['new', 'in_progress', 'escalated', 'resolved'] as const;
export const incidentStatusSchema = z.enum(INCIDENT_STATUSES);
export type IncidentStatus = z.infer<typeof incidentStatusSchema>;

export const runbookExecutionSchema = z.object({
  execution_id: z.string(),
  status: z.enum(['running', 'success', 'failed', 'timed_out']),
  runbook: z.string(),
  instance_id: z.string(),
  aws_account: z.string(),
  command_id: z.string().optional(),
  error: z.string().optional(),
  started_at: isoTime,
  ended_at: isoTime.optional(),
});
export type RunbookExecution = z.infer<typeof runbookExecutionSchema>;

export const priorityBreakdownSchema = z.object({
  severity: z.number(),
  critical_asset: z.number(),
  volume: z.number(),
  multi_source: z.number(),
  age_penalty: z.number(),
});

export const incidentItemSchema = z.object({
  id: z.string(),
  tenant_id: tenantIdSchema,
  status: incidentStatusSchema,
  severity: severitySchema,
  priority_score: z.number(),
  priority_breakdown: priorityBreakdownSchema,
  critical_asset: z.boolean(),
  asset_name: z.string(),
  signature: z.string(),
  fingerprint: z.string(),
  alert_count: z.number().int(),
  /** The first alerts only (see MAX_INCIDENT_ALERT_IDS); `alert_count` stays exact. */
  alert_ids: z.array(z.string()),
  /** Stored as a string set (concurrent writers ADD to it), read as a sorted list. */
  sources: z.union([z.array(z.string()), z.set(z.string())]).transform((sources) => [...sources].sort()),
  first_seen: isoTime,
  last_seen: isoTime,
  created_at: isoTime,
  updated_at: isoTime,
  resolved_at: isoTime.optional(),
  runbook_executions: z.array(runbookExecutionSchema).default([]),
});
export type IncidentItem = z.infer<typeof incidentItemSchema>;

/** Keeps the incident item under 1 KB (one write unit per update, measured by the bench) however busy the incident. */
export const MAX_INCIDENT_ALERT_IDS = 10;

/** `CORR#<fingerprint>`: which incident this fingerprint currently feeds. */
export const correlationPointerItemSchema = z.object({
  fingerprint: z.string(),
  incident_id: z.string(),
});

export const auditItemSchema = z.object({
  id: z.string(),
  tenant_id: tenantIdSchema,
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
  at: isoTime,
});
export type AuditItem = z.infer<typeof auditItemSchema>;
