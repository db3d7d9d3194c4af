const SECRET_KEYS = new Set([
  'sessionkey',
  'key',
  'apikey',
  'keys',
  'keyhash',
  'htpasswd',
  'clientsecret',
  'secretaccesskey',
  'sessiontoken',
  'caauthtoken',
  'xdsauthtoken',
  'authorization',
  'value',
  'headers',
  'redis',
]);
const REDACTED = '<redacted>';

/**
 * A JSON-safe deep copy with secret-bearing fields replaced, for `/config_dump`. Errs on the side
 * of hiding: any field named like a credential (`key`, `apiKey`, `htpasswd`, ...) is redacted
 * unless it is a plain structural value in a known-safe place. Byte arrays become their length.
 */
export function redactSecrets(value: unknown): unknown {
  const walk = (v: unknown, parentKey: string): unknown => {
    if (v instanceof Uint8Array) return `<${v.byteLength} bytes>`;
    if (v instanceof Map) return walk(Object.fromEntries(v), parentKey);
    if (Array.isArray(v)) return v.map((x) => walk(x, parentKey));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        out[k] = isSecretField(k, parentKey) && x !== undefined && x !== null ? REDACTED : walk(x, k);
      }
      return out;
    }
    return v;
  };
  return walk(value, '');
}

function isSecretField(key: string, parent: string): boolean {
  const k = key.toLowerCase();
  if (!SECRET_KEYS.has(k)) return false;
  // Structural "key"/"value"/"headers" fields that are not credentials.
  if (k === 'headers' && parent !== 'tracing') return false;
  if (k === 'value' && parent !== 'backendAuth') return false;
  if (k === 'key' && ['binds', 'listeners', 'routes', 'backend', 'backends', 'targets'].includes(parent))
    return false;
  return true;
}
