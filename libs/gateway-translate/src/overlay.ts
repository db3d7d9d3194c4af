type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Merges an overlay into a value: objects merge key by key, anything else (arrays included) is
 * replaced, and a null in the overlay deletes the key. Returns a new value; inputs are untouched.
 */
export function mergeOverlay<T>(base: T, overlay: Json): T {
  if (!isObject(base) || !isObject(overlay))
    return (overlay === undefined ? base : structuredClone(overlay)) as T;
  const out: Record<string, Json> = { ...base };
  for (const [k, v] of Object.entries(overlay)) {
    if (v === null) delete out[k];
    else out[k] = mergeOverlay(out[k], v);
  }
  return out as T;
}
