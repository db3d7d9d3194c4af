/** The session store (controller API) failed. */
export class SessionStoreError extends Error {
  override readonly name = 'SessionStoreError';
  constructor(
    readonly code: 'STORE_HTTP_ERROR' | 'STORE_UNREACHABLE' | 'STORE_BAD_RESPONSE',
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
