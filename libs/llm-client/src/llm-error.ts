export type LlmErrorCode =
  /** The provider answered with an error status (after retries). */
  | 'LLM_HTTP_ERROR'
  /** No answer within the per-call timeout (after retries). */
  | 'LLM_TIMEOUT'
  /** The caller aborted the call. */
  | 'LLM_ABORTED'
  /** The provider could not be reached. */
  | 'LLM_CONNECTION'
  /** The provider's answer could not be understood. */
  | 'LLM_BAD_RESPONSE'
  /** The model type is not supported or misconfigured. */
  | 'LLM_UNSUPPORTED'
  /** The TLS settings cannot be applied (a CA file that cannot be read). */
  | 'LLM_TLS_CONFIG';

/** A model call failed. Never carries request bodies or keys. */
export class LlmError extends Error {
  override readonly name = 'LlmError';
  constructor(
    readonly code: LlmErrorCode,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
