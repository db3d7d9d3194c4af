import { LlmError } from './llm-error.js';

interface SdkErrorLike {
  name?: string;
  status?: number;
  message?: string;
}

/**
 * Maps an error thrown by the `openai` or `@anthropic-ai/sdk` client (both share one error
 * family by name) to an {@link LlmError}. Messages keep the provider's error text, never the body we sent.
 */
export function mapSdkError(err: unknown, provider: string, signal: AbortSignal | undefined): LlmError {
  if (err instanceof LlmError) return err;
  const e = (err ?? {}) as SdkErrorLike;
  const name = e.name ?? '';
  if (signal?.aborted || name === 'APIUserAbortError' || name === 'AbortError') {
    return new LlmError('LLM_ABORTED', `${provider} call aborted`, undefined, { cause: err });
  }
  if (name === 'APIConnectionTimeoutError') {
    return new LlmError('LLM_TIMEOUT', `${provider} call timed out`, undefined, { cause: err });
  }
  if (name === 'APIConnectionError') {
    return new LlmError(
      'LLM_CONNECTION',
      `cannot reach ${provider}: ${e.message ?? 'connection error'}`,
      undefined,
      {
        cause: err,
      },
    );
  }
  if (typeof e.status === 'number') {
    return new LlmError(
      'LLM_HTTP_ERROR',
      `${provider} answered ${e.status}: ${e.message ?? ''}`.trim(),
      e.status,
      {
        cause: err,
      },
    );
  }
  return new LlmError('LLM_BAD_RESPONSE', `${provider} call failed: ${e.message ?? String(err)}`, undefined, {
    cause: err,
  });
}
