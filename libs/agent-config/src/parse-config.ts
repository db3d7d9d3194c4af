import { en } from 'zod/locales';
import type * as z from 'zod/mini';
import { agentCardSchema, type AgentCardConfig } from './agent-card.js';
import { agentConfigSchema, type AgentConfig } from './agent-config.js';
import { ConfigError } from './config-error.js';

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** English issue messages, passed per parse (zod/mini loads no locale by itself). */
const messages = en();

function parseWith<T extends z.ZodMiniType>(schema: T, value: unknown, source: string): z.output<T> {
  const result = schema.safeParse(value, { error: messages.localeError });
  if (result.success) return result.data;
  const fields = result.error.issues.map((i) => formatPath(i.path));
  const lines = result.error.issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`);
  throw new ConfigError('CONFIG_INVALID', `${source} is invalid:\n${lines.join('\n')}`, fields);
}

/** Validates a parsed `config.json`. Throws {@link ConfigError} naming each field at fault. */
export function parseAgentConfig(value: unknown, source = 'config.json'): AgentConfig {
  return parseWith(agentConfigSchema, value, source);
}

/** Validates a parsed `agent-card.json`. Throws {@link ConfigError} naming each field at fault. */
export function parseAgentCard(value: unknown, source = 'agent-card.json'): AgentCardConfig {
  return parseWith(agentCardSchema, value, source);
}

/** Parses JSON text, turning a syntax error into a {@link ConfigError}. */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError('CONFIG_NOT_JSON', `${source} is not valid JSON: ${(err as Error).message}`, [], {
      cause: err,
    });
  }
}
