import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertBatchSchema, alertInputSchema, type AlertInputBody } from '../../../lambdas/shared/domain/alert-input';
import type { SourceAdapter } from '../../../lambdas/shared/domain/sources/source-adapter';

/** A fresh copy of a fixture, so a test may change it without touching the next test's. */
export function loadFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as T;
}

/** Maps a payload and checks what the handler will check: every alert passes `alertInputSchema`, and the whole is a valid batch. */
export function mapPayload(adapter: SourceAdapter, body: unknown): AlertInputBody[] {
  const alerts = adapter.payloadSchema.parse(body);
  for (const alert of alerts) {
    const checked = alertInputSchema.safeParse(alert);
    if (!checked.success) throw new Error(`adapter output fails alertInputSchema: ${JSON.stringify(checked.error.issues)}`);
  }
  expect(alertBatchSchema.safeParse({ alerts }).success).toBe(true);
  return alerts;
}

/** The dotted paths of the issues a payload fails with (`alerts.0.labels`); fails the test if it parses. */
export function issuePaths(adapter: SourceAdapter, body: unknown): string[] {
  const result = adapter.payloadSchema.safeParse(body);
  if (result.success) throw new Error(`expected ${adapter.source} to refuse the payload, got ${JSON.stringify(result.data)}`);
  return result.error.issues.map((issue) => issue.path.map(String).join('.'));
}
