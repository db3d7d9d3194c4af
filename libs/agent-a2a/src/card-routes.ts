import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AgentCard } from '@a2a-js/sdk';
import { header, requestPath, sendJson } from './http-responses.js';
import { toLegacyAgentCard } from './to-legacy-agent-card.js';

const CARD_PATHS = new Set(['/.well-known/agent-card.json', '/.well-known/agent.json']);
/** The SDK's `A2A_VERSION_HEADER`, spelled out so that this module loads without the SDK. */
const VERSION_HEADER = 'A2A-Version';
const LEGACY_VERSION = '0.3';

/**
 * A weak validator for a card: its length and FNV-1a hash. The cards are fixed for the life of
 * the process, so this runs once per card; no cryptographic hash is needed (and `node:crypto`,
 * which costs megabytes of memory to load, stays out of an idle runtime).
 */
function etag(body: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < body.length; i++) {
    hash ^= body.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return `W/"${body.length.toString(16)}-${(hash >>> 0).toString(16).padStart(8, '0')}"`;
}

/**
 * The routes that need nothing but the card: the card at `/.well-known/agent-card.json` and
 * `/.well-known/agent.json` (v0.3 form unless `A2A-Version` asks for 1.0, with an ETag) and
 * `/healthz`. Returns whether the request was one of them (and answered).
 */
export function createCardRoutes(card: AgentCard): (req: IncomingMessage, res: ServerResponse) => boolean {
  const legacyBody = JSON.stringify(toLegacyAgentCard(card));
  const v1Body = JSON.stringify(card);
  const cards = {
    legacy: { body: legacyBody, etag: etag(legacyBody) },
    v1: { body: v1Body, etag: etag(v1Body) },
  };
  const serveCard = (req: IncomingMessage, res: ServerResponse): void => {
    const version = header(req, VERSION_HEADER) ?? LEGACY_VERSION;
    const { body, etag: tag } =
      version === LEGACY_VERSION || version.startsWith('0.3.') ? cards.legacy : cards.v1;
    const common = { etag: tag, vary: VERSION_HEADER, 'cache-control': 'public, max-age=3600' };
    if (header(req, 'if-none-match') === tag) {
      res.writeHead(304, common).end();
      return;
    }
    res.writeHead(200, {
      ...common,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  return (req, res) => {
    const path = requestPath(req);
    if (CARD_PATHS.has(path)) {
      const method = req.method ?? 'GET';
      if (method === 'GET' || method === 'HEAD') serveCard(req, res);
      else sendJson(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
      return true;
    }
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return true;
    }
    return false;
  };
}
