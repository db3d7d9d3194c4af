import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockLlm } from './mock-llm-types.js';
import { startMockLlm } from './start-mock-llm.js';

describe('mock LLM fault injection and unmatched requests', () => {
  let llm: MockLlm;
  let openai: OpenAI;
  let anthropic: Anthropic;

  beforeAll(async () => {
    llm = await startMockLlm({
      rules: [
        {
          name: 'rate-limited',
          match: { contains: 'rate limit me' },
          error: { status: 429, message: 'Rate limit reached for requests', headers: { 'retry-after': '7' } },
        },
        { name: 'overloaded', match: { contains: 'overload me' }, error: { status: 529 } },
        {
          name: 'flaky-once',
          match: { contains: 'flaky' },
          error: { status: 500, headers: { 'retry-after-ms': '1' } },
          times: 1,
        },
        { name: 'flaky-then-fine', match: { contains: 'flaky' }, response: { content: 'recovered' } },
        {
          name: 'slow-start',
          match: { contains: 'be slow' },
          delayMs: 300,
          response: { content: 'finally' },
        },
        {
          name: 'slow-chunks',
          match: { contains: 'drip' },
          chunkDelayMs: 40,
          response: { content: 'one two three four', chunkSize: 4 },
        },
        {
          name: 'drop-stream',
          match: { contains: 'cut me off' },
          dropAfterChunks: 2,
          response: { content: 'this reply never finishes streaming', chunkSize: 3 },
        },
        {
          name: 'drop-buffered',
          match: { contains: 'reset me' },
          dropAfterChunks: 0,
          response: { content: 'x' },
        },
        {
          name: 'truncate-buffered',
          match: { contains: 'truncate me' },
          dropAfterChunks: 1,
          response: { content: 'x' },
        },
        {
          name: 'deploy-question',
          match: { contains: 'How do I deploy an agent to Kubernetes?', role: 'user' },
          response: { content: 'Apply an Agent manifest.' },
        },
        {
          name: 'tool-answer',
          match: { role: 'tool', contains: 'pods listed' },
          response: { content: 'ok' },
        },
      ],
    });
    openai = new OpenAI({ baseURL: llm.baseUrlOpenAI, apiKey: 'k', maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: llm.baseUrlAnthropic, apiKey: 'k', maxRetries: 0 });
  });

  afterAll(async () => {
    await llm.close();
  });

  beforeEach(() => {
    llm.reset();
  });

  const ask = (content: string) =>
    openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }] });
  const askStreamed = (content: string) =>
    openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }], stream: true });

  it('replies with a scripted status as an OpenAI error', async () => {
    const err = await ask('please rate limit me').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const apiErr = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(apiErr.status).toBe(429);
    expect(apiErr.message).toContain('Rate limit reached for requests');
    expect(apiErr.type).toBe('requests');
    expect(apiErr.code).toBe('rate_limit_exceeded');
    expect(apiErr.headers.get('retry-after')).toBe('7');
    expect(llm.requests[0]?.status).toBe(429);
    expect(llm.requests[0]?.rule?.name).toBe('rate-limited');
  });

  it('replies with a scripted status as an Anthropic error, also for stream requests', async () => {
    const err = await anthropic.messages
      .stream({
        model: 'mock-anthropic-model',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'overload me' }],
      })
      .finalMessage()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.InternalServerError);
    const apiErr = err as InstanceType<typeof Anthropic.InternalServerError>;
    expect(apiErr.status).toBe(529);
    expect(apiErr.error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    expect(apiErr.requestID).toMatch(/^req_/);
  });

  it('uses a rule only `times` times, then falls through to the next one', async () => {
    const retrying = new OpenAI({ baseURL: llm.baseUrlOpenAI, apiKey: 'k', maxRetries: 1 });
    const completion = await retrying.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'flaky call' }],
    });
    expect(completion.choices[0]?.message.content).toBe('recovered');
    expect(llm.requests.map((r) => [r.rule?.name, r.status])).toEqual([
      ['flaky-once', 500],
      ['flaky-then-fine', 200],
    ]);
    expect(llm.ruleUsage().find((u) => u.name === 'flaky-once')).toMatchObject({ uses: 1, times: 1 });
    llm.reset();
    expect(llm.ruleUsage().every((u) => u.uses === 0)).toBe(true);
  });

  it('waits delayMs before the first byte', async () => {
    const started = performance.now();
    const completion = await ask('be slow');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(completion.choices[0]?.message.content).toBe('finally');
    const impatient = new OpenAI({ baseURL: llm.baseUrlOpenAI, apiKey: 'k', maxRetries: 0, timeout: 50 });
    await expect(
      impatient.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'be slow' }],
      }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });

  it('waits chunkDelayMs between streamed events', async () => {
    const stream = await askStreamed('drip');
    const arrivals: number[] = [];
    let text = '';
    for await (const chunk of stream) {
      arrivals.push(performance.now());
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('one two three four');
    // role chunk, 5 content chunks, finish chunk, [DONE]: at least 6 gaps of 40 ms after the first.
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(6 * 40 - 10);
  });

  it('drops an OpenAI stream after N chunks, which the client sees as an error', async () => {
    const stream = await askStreamed('cut me off');
    const received: string[] = [];
    const err = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(received.length).toBeLessThanOrEqual(2);
    expect(received.join('')).not.toBe('this reply never finishes streaming');
    expect(llm.requests[0]?.rule?.name).toBe('drop-stream');
  });

  it('drops an Anthropic stream after N events, failing finalMessage', async () => {
    const err = await anthropic.messages
      .stream({
        model: 'mock-anthropic-model',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'cut me off' }],
      })
      .finalMessage()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
  });

  it('resets the connection of a buffered reply with dropAfterChunks 0, and truncates with N > 0', async () => {
    await expect(ask('reset me')).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    await expect(ask('truncate me')).rejects.toBeInstanceOf(Error);
    expect(llm.requests.map((r) => r.rule?.name)).toEqual(['drop-buffered', 'truncate-buffered']);
  });

  it('answers an unmatched OpenAI request with 404 naming the closest rule and the last message', async () => {
    const err = await ask('How do I deploy an agent to Kubernetess').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    const apiErr = err as InstanceType<typeof OpenAI.NotFoundError>;
    expect(apiErr.status).toBe(404);
    expect(apiErr.code).toBe('mock_llm_no_match');
    expect(apiErr.message).toContain('Closest rule: "deploy-question" (rules[9]');
    expect(apiErr.message).toContain('"How do I deploy an agent to Kubernetess"');
    expect(apiErr.message).toContain('text does not contain');
    expect(llm.requests[0]?.rule).toBeUndefined();
    expect(llm.requests[0]?.status).toBe(404);
  });

  it('names why the closest rule failed when the text matches but the role does not', async () => {
    const err = await anthropic.messages
      .create({
        model: 'mock-anthropic-model',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'pods listed: 3' }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    const apiErr = err as InstanceType<typeof Anthropic.NotFoundError>;
    expect(apiErr.error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    const message = (apiErr.error as { error: { message: string } }).error.message;
    expect(message).toContain('Closest rule: "tool-answer"');
    expect(message).toContain('Last message (user): "pods listed: 3"');
    expect(message).toContain('last message role is "user", rule wants "tool"');
  });

  it('says so when the mock has no rules', async () => {
    const empty = await startMockLlm();
    try {
      const client = new OpenAI({ baseURL: empty.baseUrlOpenAI, apiKey: 'k', maxRetries: 0 });
      const err = await client.chat.completions
        .create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.NotFoundError);
      expect((err as Error).message).toContain('The mock has no rules');
    } finally {
      await empty.close();
    }
  });

  it('enforces an API key when one is set', async () => {
    const locked = await startMockLlm({ apiKey: 'right', rules: [{ response: { content: 'in' } }] });
    try {
      const wrong = new OpenAI({ baseURL: locked.baseUrlOpenAI, apiKey: 'wrong', maxRetries: 0 });
      await expect(
        wrong.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
      ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
      const right = new Anthropic({ baseURL: locked.baseUrlAnthropic, apiKey: 'right', maxRetries: 0 });
      const message = await right.messages.create({
        model: 'mock-anthropic-model',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(message.content).toEqual([{ type: 'text', text: 'in' }]);
    } finally {
      await locked.close();
    }
  });

  it('rejects malformed and oversized bodies in the provider error shape', async () => {
    const bad = await fetch(`${llm.baseUrlOpenAI}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { type: 'invalid_request_error' } });

    const small = await startMockLlm({ maxBodyBytes: 64, rules: [{ response: { content: 'x' } }] });
    try {
      const big = await fetch(`${small.baseUrlOpenAI}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'y'.repeat(200) }] }),
      });
      expect(big.status).toBe(413);
    } finally {
      await small.close();
    }
  });
});
