/** One problem found in a config document, located by the path of the offending key. */
export interface ConfigIssue {
  /** Dotted key path, e.g. `binds[0].listeners[0].routes[1].policies.cors`. Empty for the document root. */
  readonly path: string;
  readonly message: string;
}

export type ConfigErrorCode = 'CONFIG_SYNTAX' | 'CONFIG_INVALID' | 'CONFIG_UNSUPPORTED';

/** A config document that cannot be applied. The message names every offending key path. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  readonly issues: readonly ConfigIssue[];

  constructor(code: ConfigErrorCode, issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super(formatIssues(issues), options);
    this.code = code;
    this.issues = issues;
  }
}

function formatIssues(issues: readonly ConfigIssue[]): string {
  const lines = issues.map((i) => `${i.path === '' ? '<root>' : i.path}: ${i.message}`);
  return lines.length === 1 ? (lines[0] ?? '') : `${lines.length} problems:\n  ${lines.join('\n  ')}`;
}
