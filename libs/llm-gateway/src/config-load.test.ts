import { loadConfig } from '@agentplane/gateway-config';
import { DataPlane, GatewayMetrics } from '@agentplane/gateway-engine';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmHandlerFactory } from './llm-handler-factory.js';
import { startTestGateway, type TestGateway } from './test-gateway.js';

const llmYaml = (host: string, model: Record<string, unknown> = {}) =>
  JSON.stringify({
    llm: {
      port: 0,
      models: [
        {
          name: 'openai/*',
          provider: 'openAI',
          params: { hostOverride: host, apiKey: 'sk-test' },
          transformation: { model: 'llmRequest.model.stripPrefix("openai/")' },
          ...model,
        },
      ],
    },
  });

/** Applies a config to a fresh data plane (no listener is started when the config is rejected). */
async function applyOnce(yaml: string): Promise<void> {
  const logger = pino({ level: 'silent' });
  const registry = new Registry();
  const factory = createLlmHandlerFactory({ logger, env: {} });
  const dp = new DataPlane({
    logger,
    metrics: new GatewayMetrics({ registry, version: 'test' }),
    listenHost: '127.0.0.1',
    aiHandlerFactory: factory,
  });
  try {
    await dp.apply(loadConfig(yaml, { env: {} }).model);
  } finally {
    await dp.close(0);
    await factory.close();
  }
}

describe('LLM config is validated when it is applied', () => {
  it('rejects a bad CEL model transformation, naming its key path', async () => {
    await expect(
      applyOnce(llmYaml('127.0.0.1:1', { transformation: { model: 'llmRequest.model.stripPrefix(' } })),
    ).rejects.toThrow(/llm\.models\[0\]\.transformation\.model: /);
    await expect(
      applyOnce(llmYaml('127.0.0.1:1', { transformation: { model: 'llmRequest.model.noSuchFn()' } })),
    ).rejects.toThrow(/llm\.models\[0\]\.transformation\.model: .*noSuchFn/);
  });

  it('rejects a Vertex provider without a project, naming its key path', async () => {
    await expect(
      applyOnce(llmYaml('127.0.0.1:1', { provider: 'vertex', transformation: null })),
    ).rejects.toThrow(/llm\.models\[0\]\.params\.vertexProject: .*vertex needs a project/);
    const ai = JSON.stringify({
      binds: [
        {
          port: 0,
          listeners: [
            {
              routes: [
                {
                  backends: [
                    {
                      ai: { name: 'v', provider: { vertex: { projectId: '' } }, hostOverride: '127.0.0.1:1' },
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    await expect(applyOnce(ai)).rejects.toThrow(
      'binds[0].listeners[0].routes[0].backends[0].ai.provider.vertex.projectId',
    );
  });
});

describe('LLM config reload', () => {
  let mock: MockLlm;
  let gw: TestGateway;
  let handlersBuilt = 0;
  beforeAll(async () => {
    mock = await startMockLlm({ rules: [{ match: { contains: 'hi' }, response: { content: 'hey' } }] });
    gw = await startTestGateway(llmYaml(`127.0.0.1:${mock.port}`), { onHandler: () => handlersBuilt++ });
  });
  afterAll(async () => {
    await gw?.close();
    await mock?.close();
  });

  const chat = async () => {
    const r = await request(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-x', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const body = (await r.body.json()) as { choices?: { message: { content: string } }[] };
    return { status: r.statusCode, content: body.choices?.[0]?.message.content };
  };

  it('builds handlers at load, keeps the last good config on a bad reload, and reuses unchanged ones', async () => {
    expect(handlersBuilt).toBe(1);
    expect(await chat()).toEqual({ status: 200, content: 'hey' });
    expect(mock.requests.at(-1)?.body).toMatchObject({ model: 'gpt-x' });

    await expect(
      gw.reload(llmYaml(`127.0.0.1:${mock.port}`, { transformation: { model: '1 +' } })),
    ).rejects.toThrow(/llm\.models\[0\]\.transformation\.model/);
    expect(await chat()).toEqual({ status: 200, content: 'hey' });

    // The same backend in a freshly loaded config keeps its handler (eviction state, buckets).
    await gw.reload(llmYaml(`127.0.0.1:${mock.port}`));
    expect(handlersBuilt).toBe(1);
    // A changed backend gets a new one.
    await gw.reload(llmYaml(`127.0.0.1:${mock.port}`, { defaults: { temperature: 0.5 } }));
    expect(handlersBuilt).toBe(2);
    expect(await chat()).toEqual({ status: 200, content: 'hey' });
    expect(mock.requests.at(-1)?.body).toMatchObject({ temperature: 0.5 });
  });
});
