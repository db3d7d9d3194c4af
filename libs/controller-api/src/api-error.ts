/** Machine-readable codes of the API's error responses. */
export type ApiErrorCode =
  | 'VALIDATION_FAILED'
  | 'INVALID_JSON'
  | 'BODY_TOO_LARGE'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'UPSTREAM_UNREACHABLE'
  | 'INTERNAL';

/** One field at fault in a request. */
export interface FieldIssue {
  /** Dotted path of the field (`spec.declarative.modelConfig`, `agent_ref`); empty for the body. */
  path: string;
  message: string;
}

const STATUS: Record<ApiErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  BODY_TOO_LARGE: 413,
  NOT_FOUND: 404,
  CONFLICT: 409,
  FORBIDDEN: 403,
  UPSTREAM_UNREACHABLE: 502,
  INTERNAL: 500,
};

const TITLE: Record<ApiErrorCode, string> = {
  VALIDATION_FAILED: 'Bad Request',
  INVALID_JSON: 'Bad Request',
  BODY_TOO_LARGE: 'Payload Too Large',
  NOT_FOUND: 'Not Found',
  CONFLICT: 'Conflict',
  FORBIDDEN: 'Forbidden',
  UPSTREAM_UNREACHABLE: 'Bad Gateway',
  INTERNAL: 'Internal Server Error',
};

/**
 * An error the API answers with: `{ error, message, code, issues? }` and the status of its code.
 * The message is shown to the caller, so it never carries request bodies, secrets or internals.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly title: string;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = STATUS[code];
    this.title = TITLE[code];
  }

  /** A 404 naming what was not found. */
  static notFound(what: string): ApiError {
    return new ApiError('NOT_FOUND', `${what} not found`);
  }

  /** A 400 naming one field. */
  static invalidField(path: string, message: string): ApiError {
    return new ApiError('VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }]);
  }
}
