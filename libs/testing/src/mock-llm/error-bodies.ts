import type { Provider } from './script-schema.js';

function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

function openAIErrorType(status: number): string {
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function openAIErrorCode(status: number): string | null {
  switch (status) {
    case 401:
      return 'invalid_api_key';
    case 429:
      return 'rate_limit_exceeded';
    default:
      return null;
  }
}

export interface ErrorBodyOptions {
  readonly status: number;
  readonly message: string;
  readonly type?: string | undefined;
  readonly code?: string | null | undefined;
  readonly requestId?: string | undefined;
}

/**
 * An error body shaped like the provider's: OpenAI `{error: {message, type, param, code}}`,
 * Anthropic `{type: "error", error: {type, message}, request_id}`.
 */
export function errorBody(provider: Provider, options: ErrorBodyOptions): Record<string, unknown> {
  const { status, message } = options;
  if (provider === 'openai') {
    return {
      error: {
        message,
        type: options.type ?? openAIErrorType(status),
        param: null,
        code: options.code === undefined ? openAIErrorCode(status) : options.code,
      },
    };
  }
  return {
    type: 'error',
    error: { type: options.type ?? anthropicErrorType(status), message },
    ...(options.requestId !== undefined ? { request_id: options.requestId } : {}),
  };
}
