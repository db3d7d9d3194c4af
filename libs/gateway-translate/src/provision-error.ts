export type ProvisionErrorCode = 'INVALID_PARAMETERS' | 'INVALID_GATEWAY';

/** Why a Gateway's workload cannot be built; `issues` name the offending fields. */
export class ProvisionError extends Error {
  override readonly name = 'ProvisionError';
  readonly code: ProvisionErrorCode;
  readonly issues: readonly string[];

  constructor(code: ProvisionErrorCode, issues: readonly string[]) {
    super(issues.join('; '));
    this.code = code;
    this.issues = issues;
  }
}
