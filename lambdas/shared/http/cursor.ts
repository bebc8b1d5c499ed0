import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as z from 'zod';
import { derivedServerKey } from '../auth/server-secrets';
import { BadRequestError } from './errors';

/**
 * Opaque list cursors: the DynamoDB key to continue from, sealed with AES-256-GCM under a
 * server key and bound (as associated data) to whose list it is (a tenant id, or `admin`)
 * and to which list (route and filters). Another tenant's cursor, a cursor from another
 * route, or an edited one fails to open: a 400, never a peek at someone else's keys, and a
 * client never sees the table's key names or values.
 */
export interface CursorBinding {
  /** The tenant id, or `admin` for cross-tenant admin listings. */
  readonly owner: string;
  /** Route key plus the filters that shaped the list. */
  readonly list: string;
}

const lastKeySchema = z.record(z.string(), z.unknown());
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const boundTo = (binding: CursorBinding): Buffer => Buffer.from(JSON.stringify([binding.owner, binding.list]), 'utf8');

export async function encodeCursor(binding: CursorBinding, lastKey: Record<string, unknown> | undefined): Promise<string | null> {
  if (!lastKey) return null;
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', await derivedServerKey('cursor'), nonce);
  cipher.setAAD(boundTo(binding));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(lastKey), 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, sealed, cipher.getAuthTag()]).toString('base64url');
}

function invalidCursor(): BadRequestError {
  return new BadRequestError('invalid_cursor', 'The cursor is not valid for this list.', [
    { field: 'cursor', message: 'must be a next_cursor this list returned' },
  ]);
}

/** The DynamoDB key to continue from, or undefined for the first page. */
export async function decodeCursor(binding: CursorBinding, cursor: string | undefined): Promise<Record<string, unknown> | undefined> {
  if (cursor === undefined) return undefined;
  const bytes = Buffer.from(cursor, 'base64url');
  // base64url decoding skips what is not base64url: re-encoding must give the cursor back.
  if (bytes.length <= NONCE_BYTES + TAG_BYTES || bytes.toString('base64url') !== cursor) throw invalidCursor();
  const key = await derivedServerKey('cursor');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, NONCE_BYTES));
    decipher.setAAD(boundTo(binding));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const opened = Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    return lastKeySchema.parse(JSON.parse(opened.toString('utf8')));
  } catch {
    throw invalidCursor();
  }
}
