import { formatPath } from './format-path.js';

export interface EnvSubstitutionResult {
  readonly value: unknown;
  /** Env vars referenced but not set; they were replaced by an empty string. */
  readonly unset: readonly { path: string; name: string }[];
}

const REF = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Replaces `$VAR` and `${VAR}` in every string value of a parsed document (keys are left alone).
 * `$$` stands for a literal `$`; a `$` not followed by a name is kept as is.
 */
export function substituteEnv(
  doc: unknown,
  env: Readonly<Record<string, string | undefined>>,
): EnvSubstitutionResult {
  const unset: { path: string; name: string }[] = [];
  const walk = (v: unknown, path: PropertyKey[]): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('$')) return v;
      return v.replace(REF, (m, braced: string | undefined, bare: string | undefined) => {
        if (m === '$$') return '$';
        const name = braced ?? bare ?? '';
        const val = env[name];
        if (val === undefined) {
          unset.push({ path: formatPath(path), name });
          return '';
        }
        return val;
      });
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i]));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, [...path, k]);
      return out;
    }
    return v;
  };
  return { value: walk(doc, []), unset };
}
