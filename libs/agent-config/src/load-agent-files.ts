import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentCardConfig } from './agent-card.js';
import type { AgentConfig } from './agent-config.js';
import { ConfigError } from './config-error.js';
import { parseAgentCard, parseAgentConfig, parseJsonText } from './parse-config.js';

export interface AgentFiles {
  readonly config: AgentConfig;
  readonly card: AgentCardConfig;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError('CONFIG_NOT_FOUND', `cannot read ${path}: ${(err as Error).message}`, [], {
      cause: err,
    });
  }
}

/** Reads and validates `config.json` and `agent-card.json` from one folder (the mounted Secret). */
export async function loadAgentFiles(dir: string): Promise<AgentFiles> {
  const configPath = join(dir, 'config.json');
  const cardPath = join(dir, 'agent-card.json');
  const [configText, cardText] = await Promise.all([readText(configPath), readText(cardPath)]);
  return {
    config: parseAgentConfig(parseJsonText(configText, configPath), configPath),
    card: parseAgentCard(parseJsonText(cardText, cardPath), cardPath),
  };
}
