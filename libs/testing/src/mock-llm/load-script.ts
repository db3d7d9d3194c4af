import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { MockLlmScriptError, type ScriptIssue } from './mock-llm-script-error.js';
import { scriptSchema, type ParsedScript } from './script-schema.js';

/** Formats a zod issue path as a JSON path: `rules[0].match.regex`, or `$` for the root. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === '' ? '$' : out;
}

function issuesOf(error: z.ZodError): ScriptIssue[] {
  return error.issues.map((issue) => {
    let message = issue.message;
    if (issue.code === 'unrecognized_keys')
      message = `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    return { path: formatJsonPath(issue.path), message };
  });
}

/** Validates a script object (already parsed from JSON); throws {@link MockLlmScriptError}. */
export function parseMockLlmScript(input: unknown, source?: string): ParsedScript {
  const result = scriptSchema.safeParse(input);
  if (!result.success) throw new MockLlmScriptError(source, issuesOf(result.error), { cause: result.error });
  return result.data;
}

/** Reads, parses and validates a JSON script file; throws {@link MockLlmScriptError}. */
export async function loadMockLlmScript(file: string): Promise<ParsedScript> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new MockLlmScriptError(file, [{ path: '$', message: `cannot read file: ${message}` }], {
      cause: err,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new MockLlmScriptError(file, [{ path: '$', message: `not valid JSON: ${message}` }], {
      cause: err,
    });
  }
  return parseMockLlmScript(json, file);
}
