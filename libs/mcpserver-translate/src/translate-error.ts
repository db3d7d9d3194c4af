export type TranslateErrorCode = 'MISSING_METADATA';

/**
 * A programming error in the caller: the MCPServer lacks metadata the API server always sets
 * (name, namespace, uid). Invalid specs are not errors: they come back as conditions.
 */
export class McpServerTranslateError extends Error {
  override readonly name = 'McpServerTranslateError';
  constructor(
    readonly code: TranslateErrorCode,
    message: string,
  ) {
    super(message);
  }
}
