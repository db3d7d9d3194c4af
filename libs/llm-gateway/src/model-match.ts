// Model-name patterns: exact names and `*` wildcards (`anthropic/*`, `*-mini`, `*`).

export type ModelMatcher = (model: string) => boolean;

export function modelMatcher(pattern: string): ModelMatcher {
  if (!pattern.includes('*')) return (m) => m === pattern;
  if (pattern === '*') return () => true;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );
  return (m) => re.test(m);
}

/** Resolves a model alias (exact keys win over wildcard keys; one level). */
export function resolveAlias(aliases: Readonly<Record<string, string>> | undefined, model: string): string {
  if (!aliases) return model;
  const exact = aliases[model];
  if (exact !== undefined) return exact;
  for (const [k, v] of Object.entries(aliases)) if (k.includes('*') && modelMatcher(k)(model)) return v;
  return model;
}
