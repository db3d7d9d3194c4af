import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { parseAgentConfig } from '@agentplane/agent-config';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatModel, ChatRequest } from './chat-types.js';
import { createChatModel } from './create-chat-model.js';
import { LlmError } from './llm-error.js';

const tools = [
  {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
];

const askWeather: ChatRequest = {
  system: 'be brief',
  messages: [{ role: 'user', content: 'weather in Paris?' }],
  tools,
};

const afterTool: ChatRequest = {
  system: 'be brief',
  messages: [
    { role: 'user', content: 'weather in Paris?' },
    {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call_w1', name: 'get_weather', arguments: { city: 'Paris' } }],
    },
    { role: 'tool', toolCallId: 'call_w1', toolName: 'get_weather', content: 'sunny, 21C', isError: false },
  ],
  tools,
};

describe.each(['openai', 'anthropic'] as const)('%s chat model against the mock LLM', (type) => {
  let llm: MockLlm;
  let model: ChatModel;

  beforeAll(async () => {
    llm = await startMockLlm({
      rules: [
        {
          name: 'call-tool',
          match: { contains: 'weather in Paris', role: 'user' },
          response: {
            content: 'Checking.',
            toolCalls: [{ id: 'call_w1', name: 'get_weather', arguments: { city: 'Paris' } }],
            chunkSize: 3,
          },
        },
        {
          name: 'answer',
          match: { role: 'tool', toolCallId: 'call_w1' },
          response: { content: 'It is sunny in Paris.' },
        },
        { name: 'flaky', match: { contains: 'flaky' }, error: { status: 503 }, times: 1 },
        { name: 'flaky-ok', match: { contains: 'flaky' }, response: { content: 'recovered' } },
        { name: 'slow', match: { contains: 'slow' }, response: { content: 'late' }, delayMs: 5000 },
        { name: 'denied', match: { contains: 'denied' }, error: { status: 400, message: 'bad request' } },
      ],
    });
    const baseUrl = type === 'openai' ? llm.baseUrlOpenAI : llm.baseUrlAnthropic;
    const config = parseAgentConfig({
      model: {
        type,
        model: 'test-model',
        base_url: baseUrl,
        temperature: 0.2,
        max_tokens: 256,
        headers: { 'x-extra': 'yes' },
      },
    });
    model = await createChatModel(config.model, {
      credentials: { openaiApiKey: 'k-openai', anthropicApiKey: 'k-anthropic' },
      maxRetries: 2,
      timeoutMs: 1000,
    });
  });

  afterAll(async () => {
    await llm.close();
  });

  beforeEach(() => {
    llm.reset();
  });

  it.each([false, true])('returns tool calls with parsed arguments (stream=%s)', async (stream) => {
    const deltas: string[] = [];
    const result = await model.complete(askWeather, { stream, onTextDelta: (d) => deltas.push(d) });
    expect(result.finishReason).toBe('tool_calls');
    expect(result.toolCalls).toEqual([{ id: 'call_w1', name: 'get_weather', arguments: { city: 'Paris' } }]);
    expect(result.text).toBe('Checking.');
    if (stream) expect(deltas.join('')).toBe('Checking.');
    else expect(deltas).toEqual([]);
    const req = llm.requests[0];
    expect(req?.stream).toBe(stream);
    expect(req?.headers['x-extra']).toBe('yes');
    const body = req?.body as Record<string, unknown>;
    expect(body['temperature']).toBe(0.2);
    expect(JSON.stringify(body['tools'])).toContain('get_weather');
  });

  it('sends tool results back in the provider format', async () => {
    const result = await model.complete(afterTool, { stream: true });
    expect(result.text).toBe('It is sunny in Paris.');
    expect(result.finishReason).toBe('stop');
    expect(llm.requests[0]?.lastMessage?.toolCallIds).toEqual(['call_w1']);
    expect(JSON.stringify(llm.requests[0]?.body)).toContain('sunny, 21C');
  });

  it("sends the caller's key instead of the configured one (api_key_passthrough)", async () => {
    await model.complete(askWeather, { apiKey: 'caller-key' });
    const headers = llm.requests[0]?.headers ?? {};
    if (type === 'openai') expect(headers['authorization']).toBe('Bearer caller-key');
    else expect(headers['x-api-key']).toBe('caller-key');
  });

  it('retries a 503 and then succeeds', async () => {
    const result = await model.complete({
      system: '',
      messages: [{ role: 'user', content: 'flaky' }],
      tools: [],
    });
    expect(result.text).toBe('recovered');
    expect(llm.requests.map((r) => r.status)).toEqual([503, 200]);
  });

  it('fails with LLM_HTTP_ERROR on a 400, without retrying', async () => {
    const err = await model
      .complete({ system: '', messages: [{ role: 'user', content: 'denied' }], tools: [] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).code).toBe('LLM_HTTP_ERROR');
    expect((err as LlmError).status).toBe(400);
    expect(llm.requests).toHaveLength(1);
  });

  it('aborts a call in flight', async () => {
    const controller = new AbortController();
    const pending = model.complete(
      { system: '', messages: [{ role: 'user', content: 'slow' }], tools: [] },
      { signal: controller.signal },
    );
    await llm.waitForRequests(1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'LLM_ABORTED' });
  });
});

describe('createChatModel configuration', () => {
  it('builds a model for every provider type it supports, loading only that SDK', async () => {
    for (const model of [
      { type: 'openai', model: 'gpt-4o' },
      { type: 'azure_openai', model: 'gpt-4o', azure_endpoint: 'https://example.openai.azure.com' },
      { type: 'anthropic', model: 'anthropic-model' },
      { type: 'ollama', model: 'llama3.2', options: { temperature: '0.8' } },
      { type: 'gemini', model: 'gemini-2.0-flash' },
      { type: 'bedrock', model: 'openai.gpt-oss-20b', region: 'us-west-2' },
      { type: 'gemini_vertex_ai', model: 'gemini-2.5-flash', project: 'p', location: 'global' },
      { type: 'anthropic_vertex_ai', model: 'anthropic-test-model@20250514', project: 'p' },
    ]) {
      const built = await createChatModel(parseAgentConfig({ model }).model, {
        credentials: { bedrockBearerToken: 'bedrock-key' },
        eager: true,
      });
      expect(built.model).toBe(model.model);
    }
  });

  it('names tls_ca_cert_path when the CA file cannot be read', async () => {
    const config = parseAgentConfig({
      model: { type: 'openai', model: 'm', tls_ca_cert_path: '/nonexistent/ca.crt' },
    });
    await expect(createChatModel(config.model)).rejects.toMatchObject({
      code: 'LLM_TLS_CONFIG',
      message: expect.stringContaining('tls_ca_cert_path') as string,
    });
  });

  it('refuses a Vertex AI model without a project', async () => {
    const config = parseAgentConfig({ model: { type: 'gemini_vertex_ai', model: 'm' } });
    await expect(createChatModel(config.model)).rejects.toMatchObject({
      code: 'LLM_UNSUPPORTED',
      message: expect.stringContaining('project') as string,
    });
  });
});
