// Agent-card URL rewriting: the card an agent serves names its own address; clients reaching it
// through the gateway must see the gateway's instead.

export const AGENT_CARD_SUFFIXES = ['/.well-known/agent-card.json', '/.well-known/agent.json'] as const;

/** The card suffix the path ends with, if it is an agent-card request. */
export function agentCardSuffix(path: string): string | undefined {
  return AGENT_CARD_SUFFIXES.find((s) => path.endsWith(s));
}

export interface CardUrlMapping {
  /** Scheme + authority clients use to reach the gateway (`https://gw.example.com`). */
  readonly externalOrigin: string;
  /** Path prefix a proxy in front of the gateway strips (`X-Forwarded-Prefix`), '' when none. */
  readonly forwardedPrefix: string;
  /** Where the card was asked for downstream, minus the card suffix ('' or `/agents/a`). */
  readonly downstreamBase: string;
  /** Where the gateway fetched it upstream, minus the card suffix. */
  readonly upstreamBase: string;
}

const trimSlash = (s: string) => (s.endsWith('/') ? s.slice(0, -1) : s);

/**
 * Maps a URL the agent advertises to the URL clients should use: the upstream path, with the
 * upstream base swapped for the downstream base (so a urlRewrite prefix is undone and never
 * doubled), behind the external origin and forwarded prefix. Query and fragment are kept.
 */
export function mapAgentUrl(url: string, m: CardUrlMapping): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url; // relative or invalid: leave it to the client
  }
  const up = trimSlash(m.upstreamBase);
  let path = u.pathname;
  if (up !== '' && (path === up || path.startsWith(`${up}/`))) path = path.slice(up.length) || '';
  const mapped = `${trimSlash(m.forwardedPrefix)}${trimSlash(m.downstreamBase)}${path}` || '/';
  return `${m.externalOrigin}${mapped.startsWith('/') ? mapped : `/${mapped}`}${u.search}${u.hash}`;
}

/** Rewrites `url` (v0.3), `additionalInterfaces[].url` and `supportedInterfaces[].url` (v1.0). */
export function rewriteAgentCard(card: unknown, map: (url: string) => string): unknown {
  if (!isObject(card)) return card;
  const out: Record<string, unknown> = { ...card };
  if (typeof out.url === 'string') out.url = map(out.url);
  for (const k of ['additionalInterfaces', 'supportedInterfaces']) {
    const list = out[k];
    if (Array.isArray(list))
      out[k] = list.map((i: unknown) =>
        isObject(i) && typeof i.url === 'string' ? { ...i, url: map(i.url) } : i,
      );
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
