import { formatPath } from './format-path.js';
import type { ResourceIssue } from './resource-issue.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/**
 * Lists the fields present in `input` but absent from `output`: the unknown fields that parsing
 * dropped, as the API server prunes fields its schema does not know.
 */
export function prunedFields(input: unknown, output: unknown, path: PropertyKey[] = []): ResourceIssue[] {
  if (input === output) return [];
  const out: ResourceIssue[] = [];
  if (isPlainObject(input) && isPlainObject(output)) {
    for (const [key, value] of Object.entries(input)) {
      if (!(key in output)) {
        if (value !== undefined) {
          out.push({ path: formatPath([...path, key]), message: 'unknown field, ignored' });
        }
      } else {
        out.push(...prunedFields(value, output[key], [...path, key]));
      }
    }
  } else if (Array.isArray(input) && Array.isArray(output) && input.length === output.length) {
    input.forEach((item, i) => out.push(...prunedFields(item, output[i], [...path, i])));
  }
  return out;
}
