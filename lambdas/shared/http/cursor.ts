import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { derivedServerKey } from '../auth/server-secrets';
import { BadRequestError } from './errors';

/**
 * Opaque list cursors, bound to whose list it is (a tenant id, or `admin`) and to which
 * list (route and filters), and signed: another tenant's cursor, a cursor from another
 * route, or an edited one is a 400, never a peek at someone else's keys.
 */
export interface CursorBinding {
  /** The tenant id, or `admin` for cross-tenant admin listings. */
  readonly owner: string;
  /** Route key plus the filters that shaped the list. */
  readonly list: string;
}

const payloadSchema = z.object({ o: z.string(), l: z.string(), k: z.record(z.string(), z.unknown()) });

async function sign(payload: string): Promise<Buffer> {
  return createHmac('sha256', await derivedServerKey('cursor')).update(payload).digest();
}

export async function encodeCursor(binding: CursorBinding, lastKey: Record<string, unknown> | undefined): Promise<string | null> {
  if (!lastKey) return null;
  const payload = Buffer.from(JSON.stringify({ o: binding.owner, l: binding.list, k: lastKey })).toString('base64url');
  return `${payload}.${(await sign(payload)).toString('base64url')}`;
}

function invalidCursor(): BadRequestError {
  return new BadRequestError('invalid_cursor', 'The cursor is not valid for this list.', [
    { field: 'cursor', message: 'must be a next_cursor this list returned' },
  ]);
}

/** The DynamoDB key to continue from, or undefined for the first page. */
export async function decodeCursor(binding: CursorBinding, cursor: string | undefined): Promise<Record<string, unknown> | undefined> {
  if (cursor === undefined) return undefined;
  const [payload, signature, extra] = cursor.split('.');
  if (!payload || !signature || extra !== undefined) throw invalidCursor();
  const expected = await sign(payload);
  const presented = Buffer.from(signature, 'base64url');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) throw invalidCursor();
  let decoded: z.infer<typeof payloadSchema>;
  try {
    decoded = payloadSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    throw invalidCursor();
  }
  if (decoded.o !== binding.owner || decoded.l !== binding.list) throw invalidCursor();
  return decoded.k;
}
