/** One problem found in a script, with the JSON path where it is (e.g. `rules[2].match.regex`). */
export interface ScriptIssue {
  readonly path: string;
  readonly message: string;
}

/** A mock LLM script that cannot be read, parsed or validated. */
export class MockLlmScriptError extends Error {
  readonly code = 'MOCK_LLM_INVALID_SCRIPT';
  readonly issues: readonly ScriptIssue[];
  readonly source: string | undefined;

  constructor(source: string | undefined, issues: readonly ScriptIssue[], options?: { cause?: unknown }) {
    const where = source === undefined ? 'mock LLM script' : `mock LLM script ${source}`;
    const lines = issues.map((i) => `  ${i.path}: ${i.message}`);
    super(`invalid ${where}:\n${lines.join('\n')}`, options);
    this.name = 'MockLlmScriptError';
    this.issues = issues;
    this.source = source;
  }
}
