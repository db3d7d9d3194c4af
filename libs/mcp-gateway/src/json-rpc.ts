// Minimal JSON-RPC 2.0 shapes for the relay. Messages are validated structurally at the edge and
// otherwise passed through untouched (unknown fields survive).
export type JsonRpcId = string | number;
export type Params = Record<string, unknown>;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: JsonRpcId;
  method: string;
  params?: Params;
}
export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: Params;
}
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}
export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: JsonRpcId | null;
  result?: unknown;
  error?: JsonRpcErrorObject;
}
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;
/** Not a standard code: an upstream MCP target is unavailable. */
export const UPSTREAM_UNAVAILABLE = -32000;

export const isRequest = (m: JsonRpcMessage): m is JsonRpcRequest =>
  'method' in m && 'id' in m && m.id !== undefined;
export const isNotification = (m: JsonRpcMessage): m is JsonRpcNotification =>
  'method' in m && !('id' in m && m.id !== undefined);
export const isResponse = (m: JsonRpcMessage): m is JsonRpcResponse =>
  !('method' in m) && ('result' in m || 'error' in m);

export function errorResponse(
  id: JsonRpcId | null,
  code: number,
  message: string,
  data?: unknown,
): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is JsonRpcId =>
  typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** Structural check of one message; returns an error description or the typed message. */
export function validateMessage(v: unknown): JsonRpcMessage | { invalid: string; id: JsonRpcId | null } {
  if (!isObj(v)) return { invalid: 'message must be a JSON object', id: null };
  const id = isId(v.id) ? v.id : null;
  if (v.jsonrpc !== '2.0') return { invalid: 'jsonrpc must be "2.0"', id };
  if ('params' in v && v.params !== undefined && !isObj(v.params))
    return { invalid: 'params must be an object', id };
  if ('method' in v) {
    if (typeof v.method !== 'string' || v.method === '')
      return { invalid: 'method must be a non-empty string', id };
    if ('id' in v && v.id !== undefined && !isId(v.id))
      return { invalid: 'id must be a string or number', id: null };
    return v as unknown as JsonRpcMessage;
  }
  if (!('id' in v) || (v.id !== null && !isId(v.id))) return { invalid: 'response needs an id', id: null };
  if (!('result' in v) && !('error' in v)) return { invalid: 'response needs result or error', id };
  if (
    'error' in v &&
    (!isObj(v.error) || typeof v.error.code !== 'number' || typeof v.error.message !== 'string')
  ) {
    return { invalid: 'error must be {code, message}', id };
  }
  return v as unknown as JsonRpcMessage;
}

export const isObject = isObj;

// ---- relaying answers as received ----
//
// A tool result can be large and the gateway does not change it: rather than parse it and
// serialize it again, the answer's JSON text is kept and only its id is replaced. That needs the
// id's position without a parse, so it is done for the two compact shapes servers write (the
// TypeScript SDK's `{"result":…,"jsonrpc":"2.0","id":N}` and the `{"jsonrpc":"2.0","id":N,
// "result":…}` of most others); anything else is parsed as usual. The text comes from the target
// the client called and is relayed as is, so the gateway vouches for its framing (the id, SSE
// lines), not for the validity of the JSON inside.

const RESULT_FIRST = '{"result":';
const ID_LAST = ',"jsonrpc":"2.0","id":';
const ID_FIRST = '{"jsonrpc":"2.0","id":';

/**
 * The id of a success response of one of the compact shapes above (a non-negative integer, as
 * the gateway's upstream ids are); undefined for anything else (errors, requests, other ids or
 * layouts), which is then parsed.
 */
export function relayableResponseId(text: string): number | undefined {
  if (text.startsWith(RESULT_FIRST)) {
    // `{"result":…,"jsonrpc":"2.0","id":N}`: the last member of the object is the id.
    if (text.charCodeAt(text.length - 1) !== 125 /* } */) return undefined;
    const at = text.lastIndexOf(ID_LAST);
    return at < 0 ? undefined : digits(text, at + ID_LAST.length, text.length - 1);
  }
  if (text.startsWith(ID_FIRST)) {
    // `{"jsonrpc":"2.0","id":N,"result":…}`, and no other "id" member later (the last would win).
    const comma = text.indexOf(',', ID_FIRST.length);
    if (comma < 0 || !text.startsWith('"result":', comma + 1) || text.includes('"id"', comma))
      return undefined;
    return digits(text, ID_FIRST.length, comma);
  }
  return undefined;
}

/** A decimal integer spanning exactly `text[from, to)`. */
function digits(text: string, from: number, to: number): number | undefined {
  if (to <= from || to - from > 15) return undefined;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n;
}

/**
 * A success response relayed from the JSON text of an upstream answer (a shape
 * `relayableResponseId` accepted) with the client's `id` in place of the upstream one. `toJson`
 * gives that text; `result` is parsed only if something reads it. (A spread copy holds no
 * `result`: pass the object itself on.)
 */
export class RelayedResponse implements JsonRpcResponse {
  readonly jsonrpc = '2.0';
  readonly text: string;
  #result: unknown;
  #parsed = false;

  constructor(
    readonly id: JsonRpcId,
    upstreamText: string,
  ) {
    const idJson = JSON.stringify(id);
    this.text = upstreamText.startsWith(RESULT_FIRST)
      ? `${upstreamText.slice(0, upstreamText.lastIndexOf(ID_LAST) + ID_LAST.length)}${idJson}}`
      : `${ID_FIRST}${idJson}${upstreamText.slice(upstreamText.indexOf(',', ID_FIRST.length))}`;
  }

  get result(): unknown {
    if (!this.#parsed) {
      this.#result = (JSON.parse(this.text) as { result?: unknown }).result;
      this.#parsed = true;
    }
    return this.#result;
  }

  toJSON(): JsonRpcResponse {
    return { jsonrpc: '2.0', id: this.id, result: this.result };
  }
}

/** The JSON text of a message: a relayed answer's own text, anything else serialized. */
export function toJson(v: unknown): string {
  return v instanceof RelayedResponse ? v.text : JSON.stringify(v);
}
