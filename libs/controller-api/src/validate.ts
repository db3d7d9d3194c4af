import type { z } from 'zod';
import { ApiError, type FieldIssue } from './api-error.js';

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** Parses `input` with `schema`; a failure is a 400 naming each field at fault. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.map((issue) => ({
    path: pathOf(issue.path),
    message: issue.message,
  }));
  throw validationError(issues);
}

/** A 400 listing the issues; its message names the first field. */
export function validationError(issues: readonly FieldIssue[]): ApiError {
  const first = issues[0];
  const summary = first
    ? first.path
      ? `${first.path}: ${first.message}`
      : first.message
    : 'invalid request';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new ApiError('VALIDATION_FAILED', `${summary}${more}`, issues);
}
