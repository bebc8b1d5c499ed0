import * as z from 'zod';
import { parseOrThrow } from './validation';

/** API.md list conventions: `?limit=` 1–100 (default 50) and `?cursor=`. */
export const listParametersSchema = z.object({
  limit: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').default(50),
  cursor: z.string().min(1).max(4096).optional(),
});

export type ListParameters = z.infer<typeof listParametersSchema>;

export interface ListPage<T> {
  readonly items: T[];
  readonly next_cursor: string | null;
}

/** Parses the query string with the list parameters plus the route's own filters. */
export function parseListQuery<F extends z.ZodRawShape>(
  query: Record<string, string | undefined> | null,
  filters: F,
): ListParameters & z.infer<z.ZodObject<F>> {
  return parseOrThrow(listParametersSchema.extend(filters), query ?? {}) as ListParameters & z.infer<z.ZodObject<F>>;
}
