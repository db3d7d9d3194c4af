import type { HostRewriteModel, PathRewriteModel } from '@agentplane/gateway-config';

/** Rewrites a path; a prefix rewrite replaces the matched route prefix. Never yields a doubled slash. */
export function rewritePath(
  path: string,
  rewrite: PathRewriteModel | undefined,
  matchedPrefix: string,
): string {
  if (!rewrite) return path;
  if (rewrite.kind === 'full') return rewrite.value;
  const rest = path.slice(matchedPrefix.length);
  const base = rewrite.value.replace(/\/+$/, '');
  const joined = rest === '' ? base || '/' : `${base}${rest.startsWith('/') ? rest : `/${rest}`}`;
  return joined === '' ? '/' : joined;
}

/** Rewrites an authority (host[:port]); undefined = leave as is. */
export function rewriteAuthority(
  authority: string,
  rewrite: HostRewriteModel | undefined,
  backendAuthority: string,
): string | undefined {
  if (!rewrite) return undefined;
  switch (rewrite.kind) {
    case 'full':
      return rewrite.value;
    case 'host': {
      const port = /:(\d+)$/.exec(authority)?.[1];
      return port ? `${rewrite.value}:${port}` : rewrite.value;
    }
    case 'port':
      return `${authority.replace(/:\d+$/, '')}:${rewrite.value}`;
    case 'auto':
      return backendAuthority;
    case 'none':
      return authority;
  }
}
