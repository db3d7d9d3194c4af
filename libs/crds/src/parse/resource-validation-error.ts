import { formatIssues, type ResourceIssue } from './resource-issue.js';

export type ResourceErrorCode = 'INVALID_RESOURCE' | 'UNSUPPORTED_KIND' | 'NOT_AN_OBJECT';

/** A resource that cannot be used as given. `issues` lists each field at fault. */
export class ResourceValidationError extends Error {
  override readonly name = 'ResourceValidationError';
  readonly code: ResourceErrorCode;
  readonly kind: string | undefined;
  readonly resourceName: string | undefined;
  readonly issues: readonly ResourceIssue[];

  constructor(options: {
    code: ResourceErrorCode;
    kind?: string | undefined;
    resourceName?: string | undefined;
    issues: readonly ResourceIssue[];
  }) {
    const subject = [options.kind, options.resourceName].filter(Boolean).join(' ');
    super(`${subject ? `${subject} is invalid` : 'invalid resource'}:\n${formatIssues(options.issues)}`);
    this.code = options.code;
    this.kind = options.kind;
    this.resourceName = options.resourceName;
    this.issues = options.issues;
  }
}
