import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockLlm } from './mock-llm-types.js';
import { startMockLlm } from './start-mock-llm.js';

describe('mock LLM, OpenAI chat completions', () => {
  let llm: MockLlm;
  let client: OpenAI;

  beforeAll(async () => {
    llm = await startMockLlm({
      rules: [
        {
          name: 'greeting',
          match: { contains: 'hello' },
          response: { content: 'Hello there, how can I help you today?' },
        },
        {
          name: 'weather-call',
          match: { regex: '^what.*weather', regexFlags: 'i', role: 'user' },
          response: {
            content: 'Let me look that up.',
            toolCalls: [
              {
                id: 'call_weather_1',
                name: 'get_weather',
                arguments: { city: 'Paris', units: 'metric', days: [1, 2] },
              },
              { name: 'get_time', arguments: { tz: 'Europe/Paris' } },
            ],
            usage: { inputTokens: 42, outputTokens: 17 },
          },
        },
        {
          name: 'weather-result',
          match: { role: 'tool', toolCallId: 'call_weather_1', contains: 'sunny' },
          response: { content: 'It is sunny in Paris.', usage: { inputTokens: 60, outputTokens: 6 } },
        },
        {
          name: 'model-specific',
          match: { exact: 'which model', model: 'gpt-special' },
          response: { content: 'special' },
        },
      ],
    });
    client = new OpenAI({ baseURL: llm.baseUrlOpenAI, apiKey: 'test-key', maxRetries: 0 });
  });

  afterAll(async () => {
    await llm.close();
  });

  beforeEach(() => {
    llm.reset();
  });

  it('answers a buffered request with a chat.completion', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'be nice' },
        { role: 'user', content: 'well hello you' },
      ],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.id).toMatch(/^chatcmpl-/);
    const choice = completion.choices[0];
    expect(choice?.message.role).toBe('assistant');
    expect(choice?.message.content).toBe('Hello there, how can I help you today?');
    expect(choice?.finish_reason).toBe('stop');
    expect(completion.usage?.total_tokens).toBe(
      (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0),
    );

    expect(llm.requests).toHaveLength(1);
    const recorded = llm.requests[0];
    expect(recorded?.path).toBe('/v1/chat/completions');
    expect(recorded?.provider).toBe('openai');
    expect(recorded?.headers['authorization']).toBe('Bearer test-key');
    expect(recorded?.rule?.name).toBe('greeting');
    expect(recorded?.status).toBe(200);
    expect(recorded?.lastMessage).toEqual({ role: 'user', text: 'well hello you', toolCallIds: [] });
    expect((recorded?.body as { messages: unknown[] }).messages).toHaveLength(2);
  });

  it('matches text given as content parts', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'say hello' }] }],
    });
    expect(completion.choices[0]?.message.content).toBe('Hello there, how can I help you today?');
  });

  it('streams text as chat.completion.chunk deltas ending in [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Hello there, how can I help you today?');
    expect(chunks.filter((c) => (c.choices[0]?.delta.content ?? '') !== '').length).toBeGreaterThan(1);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(llm.requests[0]?.stream).toBe(true);
  });

  it('ends with a usage chunk when stream_options.include_usage is set', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 42, completion_tokens: 17, total_tokens: 59 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('streams tool calls that the SDK stream helper reassembles', async () => {
    const stream = client.chat.completions.stream({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } },
      ],
    });
    const argumentDeltas: string[] = [];
    stream.on('tool_calls.function.arguments.delta', (e) => argumentDeltas.push(e.arguments_delta));
    const final = await stream.finalChatCompletion();
    const message = final.choices[0]?.message;
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(message?.content).toBe('Let me look that up.');
    const calls = message?.tool_calls ?? [];
    expect(calls).toHaveLength(2);
    const [first, second] = calls;
    if (first?.type !== 'function' || second?.type !== 'function')
      throw new Error('expected function tool calls');
    expect(first.id).toBe('call_weather_1');
    expect(first.function.name).toBe('get_weather');
    expect(JSON.parse(first.function.arguments)).toEqual({ city: 'Paris', units: 'metric', days: [1, 2] });
    expect(second.id).toMatch(/^call_/);
    expect(second.function.name).toBe('get_time');
    expect(JSON.parse(second.function.arguments)).toEqual({ tz: 'Europe/Paris' });
    // Arguments arrive split over several chunks.
    expect(argumentDeltas.length).toBeGreaterThan(4);
  });

  it('accumulates raw tool_call deltas by index into the scripted arguments', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'what about the weather' }],
      stream: true,
    });
    const calls: { id?: string; name?: string; args: string; chunks: number }[] = [];
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = (calls[delta.index] ??= { args: '', chunks: 0 });
        if (delta.id !== undefined) {
          expect(call.id).toBeUndefined();
          call.id = delta.id;
          expect(delta.type).toBe('function');
        }
        if (delta.function?.name !== undefined) call.name = delta.function.name;
        if (delta.function?.arguments !== undefined && delta.function.arguments !== '') {
          call.args += delta.function.arguments;
          call.chunks++;
        }
      }
    }
    expect(calls.map((c) => c.name)).toEqual(['get_weather', 'get_time']);
    expect(JSON.parse(calls[0]?.args ?? '')).toEqual({ city: 'Paris', units: 'metric', days: [1, 2] });
    expect(calls[0]?.chunks).toBeGreaterThan(1);
    expect(calls[1]?.chunks).toBeGreaterThan(1);
  });

  it('matches the tool result of the second turn by role and tool_call_id', async () => {
    const first = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    });
    const assistant = first.choices[0]?.message;
    expect(assistant?.tool_calls?.[0]?.id).toBe('call_weather_1');
    const second = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'What is the weather in Paris?' },
        { role: 'assistant', content: assistant?.content ?? null, tool_calls: assistant?.tool_calls ?? [] },
        { role: 'tool', tool_call_id: 'call_weather_1', content: '{"sky":"sunny","temp":21}' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe('It is sunny in Paris.');
    expect(second.usage?.prompt_tokens).toBe(60);
    expect(llm.requests.map((r) => r.rule?.name)).toEqual(['weather-call', 'weather-result']);
    expect(llm.requests[1]?.lastMessage).toEqual({
      role: 'tool',
      text: '{"sky":"sunny","temp":21}',
      toolCallIds: ['call_weather_1'],
    });
  });

  it('matches on the model', async () => {
    const special = await client.chat.completions.create({
      model: 'gpt-special',
      messages: [{ role: 'user', content: 'which model' }],
    });
    expect(special.choices[0]?.message.content).toBe('special');
    await expect(
      client.chat.completions.create({
        model: 'gpt-other',
        messages: [{ role: 'user', content: 'which model' }],
      }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('lists models', async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toContain('gpt-special');
    expect(page.data[0]?.object).toBe('model');
  });
});

describe('mock LLM, bounded request record', () => {
  it('keeps only the newest recordLimit requests, so a long-running server does not grow', async () => {
    const llm = await startMockLlm({
      rules: [{ match: { contains: 'ping' }, response: { content: 'pong' } }],
      recordLimit: 2,
    });
    try {
      const client = new OpenAI({ baseURL: llm.baseUrlOpenAI, apiKey: 'sk-test' });
      for (const n of [1, 2, 3])
        await client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: `ping ${n}` }],
        });
      expect(llm.requests.map((r) => r.lastMessage?.text)).toEqual(['ping 2', 'ping 3']);
      expect(llm.requests.map((r) => r.seq)).toEqual([2, 3]);
    } finally {
      await llm.close();
    }
  });
});
