import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetricsRegistry } from '@agentplane/telemetry/metrics-registry';
import { freePort } from '@agentplane/testing/free-port';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { pino } from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppConfig, type AppConfig } from './config.js';
import { startGateway, type RunningGateway } from './gateway.js';

describe('gateway app: llm shorthand', () => {
  let llm: MockLlm;
  let gw: RunningGateway;
  let port = 0;

  let dir = '';
  let file = '';
  const prices = (input: string) =>
    JSON.stringify({
      providers: { anthropic: { models: { 'claude-*': { rates: { input, output: '15' } } } } },
    });
  const config = (catalog: string) => `config:
  modelCatalog:
  - file: ${join(dir, catalog)}
llm:
  port: ${port}
  models:
  - name: "*"
    provider: anthropic
    params: {apiKey: $ANTHROPIC_KEY, hostOverride: "127.0.0.1:${llm.port}"}
`;

  beforeAll(async () => {
    llm = await startMockLlm({
      rules: [{ response: { content: 'pong', usage: { inputTokens: 1000, outputTokens: 100 } } }],
    });
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'gw-llm-'));
    writeFileSync(join(dir, 'prices.json'), prices('3'));
    writeFileSync(join(dir, 'prices-2.json'), prices('6'));
    file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      `llm:
  port: ${port}
  models:
  - name: "*"
    provider: anthropic
    params: {apiKey: $ANTHROPIC_KEY, hostOverride: "127.0.0.1:${llm.port}"}
`,
    );
    const app = parseAppConfig(['-f', file], {
      ADMIN_ADDR: `127.0.0.1:${await freePort()}`,
      STATS_ADDR: `127.0.0.1:${await freePort()}`,
      READINESS_ADDR: `127.0.0.1:${await freePort()}`,
      LISTEN_HOST: '127.0.0.1',
      ANTHROPIC_KEY: 'sk-test',
    }) as AppConfig;
    gw = await startGateway({
      app,
      logger: pino({ level: 'silent' }),
      registry: createMetricsRegistry(),
      watch: false,
    });
  });
  afterAll(async () => {
    await gw?.close(200);
    await llm?.close();
  });

  it('serves OpenAI chat on the llm port from an Anthropic provider and records gen_ai metrics', async () => {
    const r = await request(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-x', messages: [{ role: 'user', content: 'ping' }] }),
    });
    expect(r.statusCode).toBe(200);
    const body = (await r.body.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toBe('pong');
    expect(llm.requests[0]?.headers['x-api-key']).toBe('sk-test');
    const m = await request(`http://127.0.0.1:${gw.statsPort}/metrics`);
    expect(await m.body.text()).toMatch(
      /agentgateway_gen_ai_client_token_usage_count\{[^}]*gen_ai_system="anthropic"/,
    );
  });

  it('prices requests from config.modelCatalog files, re-read on reload', async () => {
    const chat = async () => {
      const r = await request(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-x', messages: [{ role: 'user', content: 'ping' }] }),
      });
      expect(r.statusCode).toBe(200);
      await r.body.dump();
    };
    const cost = async () => {
      const text = await (await request(`http://127.0.0.1:${gw.statsPort}/metrics`)).body.text();
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('agentgateway_gen_ai_cost_total{') && l.includes('gen_ai_request_model="claude-x"'),
        );
      return Number(line?.split(' ').at(-1) ?? 'NaN');
    };
    writeFileSync(file, config('prices.json'));
    await gw.reload();
    await chat();
    // 1000 × 3 / 1M + 100 × 15 / 1M
    expect(await cost()).toBeCloseTo(0.0045, 12);

    writeFileSync(file, config('prices-2.json'));
    await gw.reload();
    await chat();
    expect(await cost()).toBeCloseTo(0.0045 + 0.0075, 12);

    // An unreadable catalog rejects the reload; the last good prices stay.
    writeFileSync(file, config('missing.json'));
    await gw.reload();
    await chat();
    expect(await cost()).toBeCloseTo(0.0045 + 2 * 0.0075, 12);
  });
});
