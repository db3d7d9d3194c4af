/**
 * Field names whose values are never logged, wherever they sit in a logged object: credentials
 * in HTTP headers, API keys, passwords and tokens. Matched exactly, ignoring case.
 */
export const SECRET_FIELD_NAMES: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-goog-api-key',
  'api-key',
  'apikey',
  'api_key',
  'password',
  'passwd',
  'token',
  'accesstoken',
  'access_token',
  'refreshtoken',
  'refresh_token',
  'idtoken',
  'id_token',
  'secret',
  'clientsecret',
  'client_secret',
  'privatekey',
  'private_key',
];

/** Printed in place of a redacted value. */
export const REDACTED = '[Redacted]';

/** How many object levels below the root are searched for secret fields. */
export const REDACT_MAX_DEPTH = 8;

export interface SecretRedactorOptions {
  /** Field names to redact (case-insensitive). Default {@link SECRET_FIELD_NAMES}. */
  fields?: readonly string[];
  /** Levels below the root to search. Default {@link REDACT_MAX_DEPTH}. */
  maxDepth?: number;
}

/**
 * Objects whose output is not just their own fields: leave them as they are. Errors are turned
 * into plain objects by the logger's error serializer, whose output is then redacted.
 */
function serializesItself(value: object): boolean {
  return (
    typeof (value as { toJSON?: unknown }).toJSON === 'function' ||
    ArrayBuffer.isView(value) ||
    value instanceof Error
  );
}

/**
 * Returns a function that replaces the values of secret fields in objects and arrays, at any
 * depth up to `maxDepth`. The input is never changed: branches holding a secret are copied
 * (as plain objects with the same own enumerable fields, which is all JSON output shows),
 * everything else is shared. Errors, objects with a `toJSON` method and binary views are left
 * alone.
 */
export function createSecretRedactor(options: SecretRedactorOptions = {}): <T>(value: T) => T {
  const fields = new Set((options.fields ?? SECRET_FIELD_NAMES).map((f) => f.toLowerCase()));
  const maxDepth = options.maxDepth ?? REDACT_MAX_DEPTH;

  const visit = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value !== 'object' || depth > maxDepth) return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        const next = visit(item, depth + 1);
        if (next !== item) {
          copy ??= value.slice();
          copy[i] = next;
        }
      }
      return copy ?? value;
    }
    if (serializesItself(value)) return value;
    const record = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(record)) {
      const item = record[key];
      const next = fields.has(key.toLowerCase()) ? REDACTED : visit(item, depth + 1);
      if (next !== item) {
        copy ??= { ...record };
        copy[key] = next;
      }
    }
    return copy ?? record;
  };

  return <T>(value: T): T => visit(value, 0) as T;
}
