import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigError } from '@agentplane/gateway-config';
import { describe, expect, it } from 'vitest';
import { loadModelCatalog, ModelCatalog } from './model-catalog.js';

const catalog = ModelCatalog.fromCatalogs([
  {
    providers: {
      openai: {
        models: {
          'gpt-4o': { rates: { input: '2.50', output: '10', cacheRead: '1.25' } },
          'gpt-4o-*': { rates: { input: '5', output: '15' } },
          'gpt-*': { rates: { input: '1', output: '1' } },
          o3: { rates: { input: '2', output: '8', reasoning: '16' } },
        },
      },
      anthropic: {
        models: {
          'claude-sonnet-4-5': { rates: { input: '3', output: '15', cacheRead: '0.3', cacheWrite: '3.75' } },
        },
      },
      'gcp.gemini': {
        models: {
          'gemini-2.5-pro': {
            rates: { input: '1.25', output: '10' },
            tiers: [{ contextOver: 200_000, rates: { input: '2.5', output: '15' } }],
          },
        },
      },
      '*': { models: { 'llama-*': { rates: { input: '0.1', output: '0.2' } } } },
    },
  },
]);

describe('model catalog pricing', () => {
  it('prices input and output per million tokens, exactly', () => {
    const c = catalog.cost(['openai'], ['gpt-4o'], { inputTokens: 1000, outputTokens: 500 });
    // 1000 × 2.50 / 1e6 + 500 × 10 / 1e6
    expect(c?.total).toBe(0.0075);
    expect(c).toMatchObject({ input: 0.0025, output: 0.005, cacheRead: 0 });
  });

  it('bills cached prompt tokens at the cache rate only when the catalog has one', () => {
    const u = { inputTokens: 1000, outputTokens: 0, cacheReadTokens: 800, cacheWriteTokens: 100 };
    // OpenAI entry: cache reads priced, cache writes fall back to the input rate.
    expect(catalog.cost(['openai'], ['gpt-4o'], u)).toMatchObject({
      input: (200 * 2.5) / 1e6,
      cacheRead: (800 * 1.25) / 1e6,
      cacheWrite: 0,
    });
    // Anthropic entry prices both.
    const a = catalog.cost(['anthropic'], ['claude-sonnet-4-5'], u);
    expect(a?.total).toBeCloseTo((100 * 3 + 800 * 0.3 + 100 * 3.75) / 1e6, 12);
  });

  it('bills reasoning tokens at their own rate when set', () => {
    const c = catalog.cost(['openai'], ['o3'], { inputTokens: 0, outputTokens: 1000, reasoningTokens: 600 });
    expect(c?.total).toBeCloseTo((400 * 8 + 600 * 16) / 1e6, 12);
  });

  it('applies the highest context tier the prompt exceeds to the whole request', () => {
    const below = catalog.cost(['gcp.gemini'], ['gemini-2.5-pro'], {
      inputTokens: 200_000,
      outputTokens: 1000,
    });
    const above = catalog.cost(['gcp.gemini'], ['gemini-2.5-pro'], {
      inputTokens: 250_000,
      outputTokens: 1000,
    });
    expect(below?.total).toBeCloseTo(0.26, 12);
    expect(above?.total).toBeCloseTo(0.64, 12);
  });

  it('prefers exact ids, then the most specific wildcard, then the `*` provider', () => {
    const u = { inputTokens: 1_000_000, outputTokens: 0 };
    expect(catalog.cost(['openai'], ['gpt-4o'], u)?.total).toBe(2.5);
    expect(catalog.cost(['openai'], ['gpt-4o-mini'], u)?.total).toBe(5);
    expect(catalog.cost(['openai'], ['gpt-5'], u)?.total).toBe(1);
    expect(catalog.cost(['groq'], ['llama-3.3-70b'], u)?.total).toBe(0.1);
    expect(catalog.cost(['groq'], ['mixtral'], u)).toBeUndefined();
    // Another provider's model does not leak.
    expect(catalog.cost(['anthropic'], ['gpt-4o'], u)).toBeUndefined();
  });

  it('tries the response model first, then the requested one', () => {
    const u = { inputTokens: 1_000_000, outputTokens: 0 };
    expect(catalog.cost(['openai'], ['gpt-4o-2024-08-06', 'gpt-4o'], u)?.total).toBe(5);
    expect(catalog.cost(['openai'], ['unknown', 'gpt-4o'], u)?.total).toBe(2.5);
  });

  it('later sources replace whole model entries', () => {
    const merged = ModelCatalog.fromCatalogs([
      {
        providers: {
          openai: { models: { a: { rates: { input: '1', output: '2' } }, b: { rates: { input: '3' } } } },
        },
      },
      { providers: { openai: { models: { a: { rates: { output: '4' } } } } } },
    ]);
    const u = { inputTokens: 1_000_000, outputTokens: 1_000_000 };
    expect(merged.cost(['openai'], ['a'], u)?.total).toBe(4);
    expect(merged.cost(['openai'], ['b'], u)?.total).toBe(3);
  });

  it('has no cost without usage or without a price', () => {
    expect(catalog.cost(['openai'], ['gpt-4o'], {})).toBeUndefined();
    expect(ModelCatalog.EMPTY.cost(['openai'], ['gpt-4o'], { inputTokens: 5 })).toBeUndefined();
  });
});

describe('config.modelCatalog', () => {
  it('accepts inline catalogs (structured or JSON text) and files, in order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    const file = join(dir, 'prices.json');
    writeFileSync(
      file,
      JSON.stringify({ providers: { openai: { models: { m: { rates: { input: '7' } } } } } }),
    );
    const { model } = loadConfig(
      `
config:
  modelCatalog:
  - inline: {providers: {openai: {models: {m: {rates: {input: "1"}}, n: {rates: {input: "2"}}}}}}
  - inline: '{"providers": {"openai": {"models": {"n": {"rates": {"input": "3"}}}}}}'
  - file: ${file}
`,
      { env: {} },
    );
    const c = loadModelCatalog(model.settings.modelCatalog);
    const u = { inputTokens: 1_000_000 };
    expect(c.cost(['openai'], ['m'], u)?.total).toBe(7);
    expect(c.cost(['openai'], ['n'], u)?.total).toBe(3);
  });

  it('rejects bad prices and unknown keys with the key path', () => {
    const bad = (doc: string) => {
      try {
        loadConfig(doc, { env: {} });
      } catch (e) {
        return (e as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
      }
      return [];
    };
    expect(
      bad('config: {modelCatalog: [{inline: {providers: {openai: {models: {m: {rates: {input: 2.5}}}}}}}]}'),
    ).toEqual([
      expect.stringMatching(
        /^config\.modelCatalog\[0\]\.inline\.providers\.openai\.models\.m\.rates\.input: /,
      ),
    ]);
    expect(
      bad(
        'config: {modelCatalog: [{inline: {providers: {openai: {models: {m: {rates: {input: "-1"}}}}}}}]}',
      )[0],
    ).toContain('non-negative decimal');
    expect(
      bad('config: {modelCatalog: [{inline: {providers: {openai: {models: {m: {limits: {}}}}}}}]}')[0],
    ).toBe('config.modelCatalog[0].inline.providers.openai.models.m.limits: unknown key');
    expect(
      bad(
        'config: {modelCatalog: [{inline: {providers: {p: {models: {m: {tiers: [{contextOver: 10, rates: {}}, {contextOver: 5, rates: {}}]}}}}}}]}',
      )[0],
    ).toContain('strictly increasing');
  });

  it('names the file when it cannot be read or is not a catalog', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"providers": {"openai": {"models": {"m": {"rates": {"input": 1}}}}}}');
    expect(() => loadModelCatalog([{ file: join(dir, 'missing.json') }])).toThrow(
      /config\.modelCatalog\[0\]\.file: cannot read .*missing\.json: ENOENT/,
    );
    expect(() => loadModelCatalog([{ catalog: {} }, { file: broken }])).toThrow(
      /config\.modelCatalog\[1\]\.file\.providers\.openai\.models\.m\.rates\.input/,
    );
  });
});
