import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseAgentCard, parseAgentConfig, parseJsonText } from './parse-config.js';

const goldenDir = fileURLToPath(
  new URL('../../../../shared/reference/kagent-golden/outputs/', import.meta.url),
);
const goldenFiles = readdirSync(goldenDir).filter((f) => f.endsWith('.json'));

interface Golden {
  config: unknown;
  agentCard: unknown;
  manifest: { kind: string; stringData?: Record<string, string> }[];
}

function readGolden(file: string): Golden {
  return JSON.parse(readFileSync(join(goldenDir, file), 'utf8')) as Golden;
}

describe('kagent golden outputs', () => {
  it('has golden files to check', () => {
    expect(goldenFiles.length).toBeGreaterThanOrEqual(18);
  });

  it.each(goldenFiles)('%s: config, agentCard and the Secret agent-card.json parse', (file) => {
    const golden = readGolden(file);
    const config = parseAgentConfig(golden.config);
    expect(config.model.model.length).toBeGreaterThan(0);
    const card = parseAgentCard(golden.agentCard);
    expect(card.supportedInterfaces.map((i) => i.protocolVersion)).toEqual(['0.3', '1.0']);
    const secret = golden.manifest.find((m) => m.kind === 'Secret');
    const secretCard = secret?.stringData?.['agent-card.json'];
    expect(secretCard).toBeDefined();
    const parsed = parseAgentCard(parseJsonText(secretCard ?? '', 'agent-card.json'));
    expect(parsed.name).toBe(card.name);
    expect(parsed.capabilities.streaming).toBe(true);
    const secretConfig = secret?.stringData?.['config.json'];
    expect(parseAgentConfig(parseJsonText(secretConfig ?? '', 'config.json'))).toEqual(config);
  });

  it('reads tools, approvals, allowed headers and remote agents', () => {
    const approval = parseAgentConfig(readGolden('agent_with_require_approval.json').config);
    expect(approval.http_tools[0]?.require_approval).toEqual(['delete_file', 'write_file']);
    expect(approval.sse_tools).toEqual([]);
    const headers = parseAgentConfig(readGolden('agent_with_allowed_headers.json').config);
    expect(headers.http_tools[0]?.allowed_headers).toEqual(['x-user-email', 'x-tenant-id']);
    const nested = parseAgentConfig(readGolden('agent_with_nested_agent.json').config);
    expect(nested.remote_agents[0]).toMatchObject({
      name: 'test__NS__specialist_agent',
      headers: { FOO: 'sup3rs3cr3t' },
    });
    const ollama = parseAgentConfig(readGolden('ollama_agent.json').config);
    expect(ollama.model.type === 'ollama' && ollama.model.options).toEqual({
      num_ctx: '2048',
      temperature: '0.8',
      top_p: '0.9',
    });
  });

  it('gives a skill without an id its name, and null tags an empty list', () => {
    const card = parseAgentCard(readGolden('agent_with_a2a_config.json').agentCard);
    expect(card.skills).toEqual([
      expect.objectContaining({ id: 'Summarize', name: 'Summarize', tags: [], examples: [] }),
    ]);
  });
});

describe('context compaction', () => {
  it('reads context_config.compaction as the controller writes it', () => {
    const config = parseAgentConfig({
      model: { type: 'openai', model: 'gpt-4o' },
      context_config: {
        compaction: {
          compaction_interval: 5,
          overlap_size: 2,
          token_threshold: 50_000,
          event_retention_size: 10,
          summarizer_model: { type: 'anthropic', model: 'claude-haiku' },
          prompt_template: 'Summarise {conversation_history}',
        },
      },
    });
    expect(config.context_config?.compaction).toMatchObject({
      token_threshold: 50_000,
      event_retention_size: 10,
      summarizer_model: { type: 'anthropic', model: 'claude-haiku', headers: {} },
      prompt_template: 'Summarise {conversation_history}',
    });
  });

  it('names a bad compaction field, in English', () => {
    expect(() =>
      parseAgentConfig({
        model: { type: 'openai', model: 'gpt-4o' },
        context_config: { compaction: { compaction_interval: 0 } },
      }),
    ).toThrow(/context_config\.compaction\.compaction_interval: Too small: expected number to be >=1/);
  });
});

describe('invalid config', () => {
  it('names the missing model type', () => {
    const run = () => parseAgentConfig({ model: { model: 'gpt-4o' }, instruction: 'x' });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/model\.type/);
  });

  it('names a field deep in a tool list', () => {
    try {
      parseAgentConfig({
        model: { type: 'openai', model: 'gpt-4o' },
        http_tools: [{ params: { url: 'not a url' }, tools: ['a'], require_approval: ['b'] }],
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      expect(e.code).toBe('CONFIG_INVALID');
      expect(e.fields).toEqual(
        expect.arrayContaining(['http_tools[0].params.url', 'http_tools[0].require_approval[0]']),
      );
    }
  });

  it('rejects an unknown model type by name', () => {
    expect(() => parseAgentConfig({ model: { type: 'nope', model: 'm' } })).toThrow(/model\.type/);
  });

  it('reports JSON syntax errors as CONFIG_NOT_JSON', () => {
    expect(() => parseJsonText('{', 'config.json')).toThrow(
      expect.objectContaining({ code: 'CONFIG_NOT_JSON' }) as Error,
    );
  });
});
