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
