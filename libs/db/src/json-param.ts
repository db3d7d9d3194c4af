import { DatabaseError } from './database-error.js';

/**
 * A JSON document as a statement parameter. Sent as text and cast in SQL (`$1::text::jsonb`):
 * `pg` would turn a JS array into a PostgreSQL array literal, and the two engines guess types
 * differently, so passing JSON text is the one form both read the same way.
 */
export function jsonParam(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new DatabaseError('INVALID_VALUE', `${what} is not serialisable as JSON`, { cause });
  }
  if (text === undefined) throw new DatabaseError('INVALID_VALUE', `${what} is not a JSON value`);
  return text;
}
