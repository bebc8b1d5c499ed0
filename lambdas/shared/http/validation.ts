import type * as z from 'zod';
import { ValidationError, type FieldIssue } from './errors';

/** `["alerts", 1, "severity"]` → `alerts[1].severity`, the form API.md's `details` use. */
export function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'body';
  return path.reduce<string>((joined, segment) => {
    if (typeof segment === 'number') return `${joined}[${segment}]`;
    const name = String(segment);
    return joined ? `${joined}.${name}` : name;
  }, '');
}

export function fieldIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldIssue[] {
  return error.issues.map((issue) => ({ field: fieldPath([...prefix, ...issue.path]), message: issue.message }));
}

/** Parses `input` with `schema`, or throws a 400 naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, prefix: readonly PropertyKey[] = []): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(fieldIssues(result.error, prefix));
  return result.data;
}
