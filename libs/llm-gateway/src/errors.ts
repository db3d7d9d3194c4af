// Error bodies in each API's shape (OpenAI, Anthropic, Responses, Gemini), and translation of
// provider errors into the caller's shape (the upstream status is kept by the caller of these
// helpers).
import { sseData, sseEvent } from './sse.js';
import { isObject, type ClientFormat } from './wire.js';

export class LlmGatewayError extends Error {
  override readonly name = 'LlmGatewayError';
  constructor(
    readonly code: 'BAD_REQUEST' | 'NO_ROUTE' | 'UPSTREAM' | 'CONFIG',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function openAiType(status: number): string {
  if (status === 400 || status === 413 || status === 422) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

function anthropicType(status: number): string {
  switch (status) {
    case 400:
    case 422:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
    case 503:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** Google's canonical error statuses (`error.status`), as a provider may already have given one. */
const GOOGLE_STATUSES = new Set([
  'INVALID_ARGUMENT',
  'FAILED_PRECONDITION',
  'OUT_OF_RANGE',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'NOT_FOUND',
  'ABORTED',
  'ALREADY_EXISTS',
  'RESOURCE_EXHAUSTED',
  'CANCELLED',
  'DATA_LOSS',
  'UNKNOWN',
  'INTERNAL',
  'NOT_IMPLEMENTED',
  'UNIMPLEMENTED',
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
]);

function googleStatus(code: string | undefined, status: number): string {
  if (code && GOOGLE_STATUSES.has(code)) return code;
  switch (status) {
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'ABORTED';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 499:
      return 'CANCELLED';
    case 501:
      return 'UNIMPLEMENTED';
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
  }
}

export interface ErrorInfo {
  readonly message: string;
  readonly type?: string;
  readonly code?: string;
}

/** The error body for an API format. */
export function errorBody(format: ClientFormat, status: number, info: ErrorInfo): string {
  if (format === 'gemini') {
    return JSON.stringify({
      error: { code: status, message: info.message, status: googleStatus(info.code, status) },
    });
  }
  if (format === 'anthropic') {
    return JSON.stringify({
      type: 'error',
      error: { type: anthropicTypeFor(info.type, status), message: info.message },
    });
  }
  return JSON.stringify({
    error: {
      message: info.message,
      type: openAiTypeFor(info.type, status),
      param: null,
      code: info.code ?? null,
    },
  });
}

const ANTHROPIC_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'overloaded_error',
]);
function anthropicTypeFor(type: string | undefined, status: number): string {
  return type && ANTHROPIC_TYPES.has(type) ? type : anthropicType(status);
}
function openAiTypeFor(type: string | undefined, status: number): string {
  if (type === 'api_error' || type === 'overloaded_error') return 'server_error';
  return type ?? openAiType(status);
}

/** A streamed error event in the caller's format, ending the stream well-formed. */
export function streamErrorEvent(format: ClientFormat, status: number, info: ErrorInfo): string {
  if (format === 'anthropic') return sseEvent('error', errorBody('anthropic', status, info));
  if (format === 'responses') {
    return sseEvent(
      'error',
      JSON.stringify({
        type: 'error',
        code: info.code ?? openAiType(status),
        message: info.message,
        param: null,
      }),
    );
  }
  if (format === 'gemini') return sseData(errorBody('gemini', status, info));
  return sseData(errorBody('openai', status, info)) + sseData('[DONE]');
}

/** Reads message/type/code from any provider's error body (OpenAI, Anthropic, Gemini, Bedrock). */
export function parseProviderError(body: string, status: number): ErrorInfo {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    const text = body.trim().slice(0, 500);
    return { message: text || `upstream returned HTTP ${status}` };
  }
  if (Array.isArray(v)) v = v[0];
  if (isObject(v)) {
    const e = isObject(v.error) ? v.error : v;
    const message =
      typeof e.message === 'string'
        ? e.message
        : typeof e.Message === 'string'
          ? e.Message
          : `upstream returned HTTP ${status}`;
    const type = typeof e.type === 'string' ? e.type : typeof e.status === 'string' ? undefined : undefined;
    const code = typeof e.code === 'string' ? e.code : typeof e.status === 'string' ? e.status : undefined;
    return { message, ...(type ? { type } : {}), ...(code ? { code } : {}) };
  }
  return { message: `upstream returned HTTP ${status}` };
}
