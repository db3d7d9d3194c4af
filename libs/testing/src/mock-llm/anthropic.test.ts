import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockLlm } from './mock-llm-types.js';
import { startMockLlm } from './start-mock-llm.js';

describe('mock LLM, Anthropic messages', () => {
  let llm: MockLlm;
  let client: Anthropic;

  beforeAll(async () => {
    llm = await startMockLlm({
      rules: [
        {
          name: 'greeting',
          match: { contains: 'hello', role: 'user' },
          response: { content: 'Hello! What can I do for you?', usage: { inputTokens: 11, outputTokens: 8 } },
        },
        {
          name: 'search-call',
          match: { contains: 'search the docs' },
          response: {
            content: 'Searching.',
            toolCalls: [
              {
                id: 'toolu_search_1',
                name: 'search_docs',
                arguments: { query: 'kagent agents', limit: 5, filters: { lang: 'en', tags: ['k8s', 'ai'] } },
              },
            ],
          },
        },
        {
          name: 'search-result',
          match: { role: 'tool', toolCallId: 'toolu_search_1' },
          response: { content: 'Found 5 documents.' },
        },
        { name: 'tool-only', match: { exact: 'just the tool' }, response: { toolCalls: [{ name: 'noop' }] } },
      ],
    });
    client = new Anthropic({ baseURL: llm.baseUrlAnthropic, apiKey: 'sk-ant-test', maxRetries: 0 });
  });

  afterAll(async () => {
    await llm.close();
  });

  beforeEach(() => {
    llm.reset();
  });

  it('answers a buffered request with a message', async () => {
    const message = await client.messages.create({
      model: 'mock-anthropic-model',
      max_tokens: 256,
      system: 'be brief',
      messages: [{ role: 'user', content: 'hello there' }],
    });
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.id).toMatch(/^msg_/);
    expect(message.model).toBe('mock-anthropic-model');
    expect(message.content).toEqual([{ type: 'text', text: 'Hello! What can I do for you?' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 11, output_tokens: 8 });

    const recorded = llm.requests[0];
    expect(recorded?.path).toBe('/v1/messages');
    expect(recorded?.provider).toBe('anthropic');
    // SDK versions differ: the key travels as x-api-key or as a bearer token.
    expect(recorded?.headers['x-api-key'] ?? recorded?.headers['authorization']).toContain('sk-ant-test');
    expect(recorded?.headers['anthropic-version']).toBeDefined();
    expect(recorded?.rule?.name).toBe('greeting');
  });

  it('streams text with message_start, content_block_delta text_delta and message_stop', async () => {
    const stream = await client.messages.create({
      model: 'mock-anthropic-model',
      max_tokens: 256,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }],
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    let deltas = 0;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
        text += event.delta.text;
        deltas++;
      }
      if (event.type === 'message_delta') {
        expect(event.delta.stop_reason).toBe('end_turn');
        expect(event.usage.output_tokens).toBe(8);
      }
    }
    expect(text).toBe('Hello! What can I do for you?');
    expect(deltas).toBeGreaterThan(1);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    expect(types.at(-2)).toBe('message_delta');
    expect(types).toContain('content_block_start');
    expect(types).toContain('content_block_stop');
  });

  it('sends event: lines naming each event', async () => {
    const res = await fetch(`${llm.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'k' },
      body: JSON.stringify({
        model: 'mock-anthropic-model-2',
        max_tokens: 10,
        stream: true,
        messages: [{ role: 'user', content: 'hello' }],
      }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = await res.text();
    const events = body.split('\n\n').filter((block) => block.trim() !== '');
    for (const block of events) {
      const [eventLine, dataLine] = block.split('\n');
      const name = eventLine?.replace(/^event: /, '');
      const data = JSON.parse(dataLine?.replace(/^data: /, '') ?? '') as { type: string };
      expect(data.type).toBe(name);
    }
    expect(events[0]).toMatch(/^event: message_start\n/);
  });

  it('streams tool_use input as input_json_delta pieces that finalMessage reassembles', async () => {
    const stream = client.messages.stream({
      model: 'mock-anthropic-model',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'please search the docs for agents' }],
      tools: [{ name: 'search_docs', input_schema: { type: 'object' } }],
    });
    const partials: string[] = [];
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') {
        partials.push(event.delta.partial_json);
      }
    });
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content[0]).toEqual({ type: 'text', text: 'Searching.' });
    const toolUse = message.content[1];
    if (toolUse?.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(toolUse.id).toBe('toolu_search_1');
    expect(toolUse.name).toBe('search_docs');
    expect(toolUse.input).toEqual({
      query: 'kagent agents',
      limit: 5,
      filters: { lang: 'en', tags: ['k8s', 'ai'] },
    });
    expect(partials.length).toBeGreaterThan(1);
  });

  it('answers with tool_use only, with a generated toolu_ id', async () => {
    const message = await client.messages.create({
      model: 'mock-anthropic-model',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'just the tool' }],
    });
    expect(message.content).toHaveLength(1);
    expect(message.content[0]).toMatchObject({ type: 'tool_use', name: 'noop', input: {} });
    expect((message.content[0] as { id: string }).id).toMatch(/^toolu_/);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('matches the tool_result of the second turn', async () => {
    const first = await client.messages.create({
      model: 'mock-anthropic-model',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'search the docs please' }],
    });
    const second = await client.messages
      .stream({
        model: 'mock-anthropic-model',
        max_tokens: 1024,
        messages: [
          { role: 'user', content: 'search the docs please' },
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 'toolu_search_1',
                content: [{ type: 'text', text: '5 hits' }],
              },
            ],
          },
        ],
      })
      .finalMessage();
    expect(second.content).toEqual([{ type: 'text', text: 'Found 5 documents.' }]);
    expect(llm.requests[1]?.lastMessage).toEqual({
      role: 'tool',
      text: '5 hits',
      toolCallIds: ['toolu_search_1'],
    });
    expect(llm.requests[1]?.rule?.name).toBe('search-result');
  });

  it('rejects a request without anthropic-version like the real API', async () => {
    const res = await fetch(`${llm.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
      body: JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('lists models in the Anthropic shape and counts tokens', async () => {
    const page = await client.models.list();
    expect(page.data[0]).toMatchObject({ type: 'model', id: expect.any(String) as string });
    const count = await client.messages.countTokens({
      model: 'mock-anthropic-model',
      messages: [{ role: 'user', content: 'count these words please' }],
    });
    expect(count.input_tokens).toBeGreaterThan(0);
  });

  it('requires max_tokens', async () => {
    const res = await fetch(`${llm.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain('max_tokens');
  });
});
