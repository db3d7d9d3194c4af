export type ResourceStoreErrorCode = 'ALREADY_EXISTS' | 'NOT_FOUND' | 'INVALID' | 'UNAVAILABLE';

/** An expected failure of a {@link ResourceStore} operation. */
export class ResourceStoreError extends Error {
  override readonly name = 'ResourceStoreError';
  constructor(
    readonly code: ResourceStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
