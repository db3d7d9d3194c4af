import { parseAgentCard, parseAgentConfig } from '@agentplane/agent-config';
import { InMemorySessionStore, silentLogger } from '@agentplane/agent-core';
import { LlmError } from '@agentplane/llm-client';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startA2aServer } from './a2a-server.js';
import { createLazyAgentRuntime } from './lazy-agent-runtime.js';

const card = parseAgentCard({
  name: 'lazy_agent',
  description: 'an agent built on its first call',
  url: 'http://lazy-agent.test:8080',
  capabilities: { streaming: true },
});

async function send(url: string, text: string): Promise<{ result?: { status?: { state?: string } } }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'message/send',
      params: {
        message: {
          kind: 'message',
          messageId: crypto.randomUUID(),
          role: 'user',
          parts: [{ kind: 'text', text }],
        },
      },
    }),
  });
  return (await res.json()) as { result?: { status?: { state?: string } } };
}

describe('createLazyAgentRuntime', () => {
  let llm: MockLlm;

  beforeAll(async () => {
    llm = await startMockLlm({ rules: [{ match: { role: 'user' }, response: { content: 'lazy hello' } }] });
  });

  afterAll(async () => {
    await llm.close();
  });

  it('serves the card and health before the agent is built, and builds it on the first call', async () => {
    const runtime = await createLazyAgentRuntime({
      config: parseAgentConfig({ model: { type: 'openai', model: 'gpt-test', base_url: llm.baseUrlOpenAI } }),
      card,
      sessions: new InMemorySessionStore(),
      logger: silentLogger,
      credentials: { openaiApiKey: 'sk-test' },
    });
    const server = await startA2aServer({ app: runtime.app, host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${server.port}`;
    try {
      const cardRes = await fetch(`${url}/.well-known/agent-card.json`);
      expect(cardRes.status).toBe(200);
      expect(await cardRes.json()).toMatchObject({ name: 'lazy_agent', url: 'http://lazy-agent.test:8080' });
      const tag = cardRes.headers.get('etag') ?? '';
      expect(tag).toMatch(/^W\/"/);
      const again = await fetch(`${url}/.well-known/agent-card.json`, { headers: { 'if-none-match': tag } });
      expect(again.status).toBe(304);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      // A scrape of some other path does not build the agent either.
      expect((await fetch(`${url}/metrics`)).status).toBe(404);
      expect((await fetch(`${url}/`)).status).toBe(405);
      expect(runtime.loaded()).toBe(false);

      const answer = await send(url, 'hi');
      expect(answer.result?.status?.state).toBe('completed');
      expect(runtime.loaded()).toBe(true);
      expect(llm.requests).toHaveLength(1);
    } finally {
      await server.close();
      await runtime.close();
    }
  });

  it('still rejects a bad model configuration at creation', async () => {
    await expect(
      createLazyAgentRuntime({
        config: parseAgentConfig({
          model: { type: 'openai', model: 'gpt-test', tls_ca_cert_path: '/nonexistent/ca.crt' },
        }),
        card,
        sessions: new InMemorySessionStore(),
        logger: silentLogger,
      }),
    ).rejects.toSatisfy((err: unknown) => err instanceof LlmError && err.code === 'LLM_TLS_CONFIG');
  });

  it('answers calls after close with an error instead of building the agent', async () => {
    const runtime = await createLazyAgentRuntime({
      config: parseAgentConfig({ model: { type: 'openai', model: 'gpt-test', base_url: llm.baseUrlOpenAI } }),
      card,
      sessions: new InMemorySessionStore(),
      logger: silentLogger,
    });
    const server = await startA2aServer({ app: runtime.app, host: '127.0.0.1', port: 0 });
    try {
      await runtime.close();
      const res = await fetch(`http://127.0.0.1:${server.port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"id":"x"}}',
      });
      expect(res.status).toBe(503);
      expect(runtime.loaded()).toBe(false);
    } finally {
      await server.close();
    }
  });
});
