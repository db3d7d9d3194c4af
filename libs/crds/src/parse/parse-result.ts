import type { ResourceIssue } from './resource-issue.js';
import type { ResourceValidationError } from './resource-validation-error.js';

/**
 * The outcome of parsing a resource. On success `value` has defaults applied and unknown fields
 * removed; `warnings` lists what was removed or normalized.
 */
export type ParseResult<T> =
  { ok: true; value: T; warnings: ResourceIssue[] } | { ok: false; error: ResourceValidationError };
