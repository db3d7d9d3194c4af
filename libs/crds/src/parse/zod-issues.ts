import type { z } from 'zod';
import { formatPath } from './format-path.js';
import type { ResourceIssue } from './resource-issue.js';

function typeName(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'an object';
  return `a ${typeof input}`;
}

function expected(name: string): string {
  switch (name) {
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    case 'int':
      return 'an integer';
    default:
      return `a ${name}`;
  }
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'required field is missing';
      return `must be ${expected(issue.expected)}, not ${typeName(issue.input)}`;
    case 'invalid_value': {
      const allowed = issue.values.map((v) => JSON.stringify(v)).join(', ');
      const got = typeof issue.input === 'string' ? ` (got ${JSON.stringify(issue.input)})` : '';
      return issue.values.length === 1 ? `must be ${allowed}${got}` : `must be one of ${allowed}${got}`;
    }
    case 'too_big':
      if (issue.origin === 'array') return `has too many items: at most ${String(issue.maximum)} allowed`;
      if (issue.origin === 'string') return `is too long: at most ${String(issue.maximum)} characters`;
      return `must be at most ${String(issue.maximum)}`;
    case 'too_small':
      if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} item(s)`;
      if (issue.origin === 'string') {
        return Number(issue.minimum) === 1
          ? 'must not be empty'
          : `needs at least ${String(issue.minimum)} characters`;
      }
      return `must be at least ${String(issue.minimum)}`;
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue && typeof issue.pattern === 'string'
        ? `must match the pattern ${issue.pattern}`
        : `must be a valid ${issue.format}`;
    case 'unrecognized_keys':
      return `unknown field(s): ${issue.keys.join(', ')}`;
    default:
      return issue.message;
  }
}

/** Expands `{{field}}` in a message to the field's full path, relative to `path`. */
function expandFieldRefs(message: string, path: readonly PropertyKey[]): string {
  return message.replace(/\{\{([^}]+)\}\}/g, (_, field: string) => formatPath([...path, field]));
}

/** Converts zod issues into user-facing issues with formatted paths, deduplicated. */
export function toResourceIssues(
  issues: readonly z.core.$ZodIssue[],
  basePath: readonly PropertyKey[] = [],
): ResourceIssue[] {
  const out: ResourceIssue[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    const full = [...basePath, ...issue.path];
    let message = describe(issue);
    if (message.includes('{{')) message = expandFieldRefs(message, ownerPath(issue, full));
    const entry = { path: formatPath(full), message };
    const key = `${entry.path}\u0000${entry.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(entry);
    }
  }
  return out;
}

/** Field references in rule messages are relative to the object the rule is attached to. */
function ownerPath(issue: z.core.$ZodIssue, full: PropertyKey[]): PropertyKey[] {
  const params = issue.code === 'custom' ? (issue.params as Record<string, unknown> | undefined) : undefined;
  const depth = typeof params?.['ownerDepth'] === 'number' ? params['ownerDepth'] : 0;
  return depth > 0 ? full.slice(0, full.length - depth) : full;
}
