/** One problem with a resource: the field it is about and what to do. */
export interface ResourceIssue {
  /** Field path such as `spec.declarative.tools[2].mcpServer.toolNames`; empty for the whole object. */
  path: string;
  /** The reason, phrased so a user can act on it. */
  message: string;
}

/** Formats issues one per line: `path: message`. */
export function formatIssues(issues: readonly ResourceIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n');
}
