export type DiscoveryErrorCode =
  'TIMEOUT' | 'CONNECT_FAILED' | 'HTTP_ERROR' | 'PROTOCOL_ERROR' | 'UNSUPPORTED' | 'ABORTED';

/** A discovery (MCP `tools/list`, a provider's models list) that did not give a result. */
export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
  readonly code: DiscoveryErrorCode;

  constructor(code: DiscoveryErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** A short, secret-free description of a failure for a status message. */
export function describeError(err: unknown): string {
  if (err instanceof DiscoveryError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
