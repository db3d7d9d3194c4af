import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '@agentplane/telemetry';
import { ApiError } from './api-error.js';

interface BodyParserError {
  type?: string;
  status?: number;
}

/** The API error a thrown value stands for; unexpected errors become a 500 without details. */
function toApiError(error: unknown, maxBodyBytes: number): ApiError | undefined {
  if (error instanceof ApiError) return error;
  const parser = error as BodyParserError | null;
  if (parser?.type === 'entity.too.large') {
    return new ApiError('BODY_TOO_LARGE', `request body exceeds ${maxBodyBytes} bytes`);
  }
  if (parser?.type === 'entity.parse.failed')
    return new ApiError('INVALID_JSON', 'request body is not valid JSON');
  if (typeof parser?.type === 'string' && parser.status !== undefined && parser.status < 500) {
    return new ApiError('VALIDATION_FAILED', 'request body cannot be read');
  }
  return undefined;
}

/** Answers every error as `{ error, message, code, issues? }`; internals are logged, never sent. */
export function errorHandler(logger: Logger, maxBodyBytes: number): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    let apiError = toApiError(error, maxBodyBytes);
    if (!apiError) {
      logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
      apiError = new ApiError('INTERNAL', 'internal error');
    }
    res.status(apiError.status).json({
      error: apiError.title,
      message: apiError.message,
      code: apiError.code,
      ...(apiError.issues.length > 0 ? { issues: apiError.issues } : {}),
    });
  };
}

/** Unknown routes: a JSON 404. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new ApiError('NOT_FOUND', `no route ${req.method} ${req.path}`));
};
