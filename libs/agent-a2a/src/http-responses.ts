import type { IncomingMessage, ServerResponse } from 'node:http';

/** A `node:http` request listener. */
export type A2aRequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** A request header as one string; absent and empty both read as `undefined`. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  const s = Array.isArray(v) ? v.join(', ') : v;
  return s === undefined || s === '' ? undefined : s;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function rpcError(res: ServerResponse, status: number, id: unknown, error: unknown): void {
  sendJson(res, status, { jsonrpc: '2.0', id: id ?? null, error });
}

/** The path of a request URL, without the query. */
export function requestPath(req: IncomingMessage): string {
  return (req.url ?? '/').split('?', 1)[0] ?? '/';
}

/** Whether this is a JSON-RPC call (`POST /`). */
export function isRpcRequest(req: IncomingMessage): boolean {
  return req.method === 'POST' && requestPath(req) === '/';
}

/** The answer to anything that is neither the card, `/healthz` nor a JSON-RPC call. */
export function rejectOtherRequest(req: IncomingMessage, res: ServerResponse): void {
  const root = requestPath(req) === '/';
  req.resume();
  sendJson(res, root ? 405 : 404, { error: root ? 'method not allowed' : 'not found' });
}
