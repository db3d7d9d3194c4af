/**
 * kagent keeps event and task documents as JSON text. A string that holds JSON is stored parsed
 * (our columns are jsonb); anything else is stored as given.
 */
export function fromJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** The document as kagent's JSON text. */
export function toJsonText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
