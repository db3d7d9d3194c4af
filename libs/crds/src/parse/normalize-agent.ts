import { formatPath } from './format-path.js';
import type { ResourceIssue } from './resource-issue.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Brings an Agent's tool entries to the canonical form before validation, as kagent's controller
 * reads them: a `type` spelled in another case (`MCPServer`) becomes `McpServer`, and a missing
 * `type` is taken from the one block present. Returns a copy and one warning per change.
 */
export function normalizeAgent(input: unknown): { value: unknown; warnings: ResourceIssue[] } {
  if (!isPlainObject(input)) return { value: input, warnings: [] };
  const spec = input['spec'];
  const declarative = isPlainObject(spec) ? spec['declarative'] : undefined;
  const tools = isPlainObject(declarative) ? declarative['tools'] : undefined;
  if (!Array.isArray(tools)) return { value: input, warnings: [] };

  const warnings: ResourceIssue[] = [];
  const normalizedTools = tools.map((tool: unknown, i) => {
    if (!isPlainObject(tool)) return tool;
    const path = formatPath(['spec', 'declarative', 'tools', i, 'type']);
    const type = tool['type'];
    if (typeof type === 'string') {
      const canonical = ['McpServer', 'Agent'].find((t) => t.toLowerCase() === type.toLowerCase());
      if (canonical && canonical !== type) {
        warnings.push({ path, message: `"${type}" read as "${canonical}"` });
        return { ...tool, type: canonical };
      }
      return tool;
    }
    if (type === undefined) {
      const hasMcp = tool['mcpServer'] !== undefined;
      const hasAgent = tool['agent'] !== undefined;
      if (hasMcp !== hasAgent) {
        const inferred = hasMcp ? 'McpServer' : 'Agent';
        warnings.push({ path, message: `not set; taken as "${inferred}" from the block present` });
        return { ...tool, type: inferred };
      }
    }
    return tool;
  });
  if (warnings.length === 0) return { value: input, warnings };
  return {
    value: {
      ...input,
      spec: {
        ...(spec as Record<string, unknown>),
        declarative: { ...(declarative as Record<string, unknown>), tools: normalizedTools },
      },
    },
    warnings,
  };
}
