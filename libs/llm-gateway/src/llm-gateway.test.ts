import Anthropic from '@anthropic-ai/sdk';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './test-gateway.js';

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

describe('unified LLM API through the gateway (mock LLM upstream)', () => {
  let llm: MockLlm;
  let gw: TestGateway;
  let openai: OpenAI;
  let anthropic: Anthropic;

  beforeAll(async () => {
    llm = await startMockLlm({
      apiKey: 'upstream-key',
      rules: [
        {
          name: 'weather',
          match: { contains: 'weather' },
          response: {
            content: 'Checking.',
            toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
            usage: { inputTokens: 30, outputTokens: 9 },
          },
        },
        { name: 'overloaded', match: { contains: 'overload' }, error: { status: 429, message: 'slow down' } },
        {
          name: 'hello',
          match: { contains: 'hello' },
          response: { content: 'Hello there, friend!', usage: { inputTokens: 5, outputTokens: 4 } },
        },
      ],
    });
    const host = `127.0.0.1:${llm.port}`;
    gw = await startTestGateway(`
binds:
- port: 0
  listeners:
  - routes:
    - name: openai
      matches: [{path: {pathPrefix: /openai}}]
      backends:
      - ai:
          name: oai
          hostOverride: ${host}
          provider: {openAI: {}}
          policies: {backendAuth: {key: upstream-key}}
    - name: anthropic
      matches: [{path: {pathPrefix: /anthropic}}]
      backends:
      - ai:
          name: claude
          hostOverride: ${host}
          provider: {anthropic: {model: claude-test}}
          policies: {backendAuth: {key: upstream-key}}
`);
    openai = new OpenAI({ baseURL: `${gw.url}/openai/v1`, apiKey: 'client-key', maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: `${gw.url}/anthropic`, apiKey: 'client-key', maxRetries: 0 });
  });
  afterAll(async () => {
    await gw?.close();
    await llm?.close();
  });
  beforeEach(() => llm.reset());

  it('OpenAI client -> OpenAI provider: buffered chat with the configured key', async () => {
    const r = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(r.choices[0]?.message.content).toBe('Hello there, friend!');
    expect(r.usage?.prompt_tokens).toBe(5);
    const rec = llm.requests[0];
    expect(rec?.provider).toBe('openai');
    expect(rec?.headers.authorization).toBe('Bearer upstream-key');
  });

  it('OpenAI client -> OpenAI provider: streamed chat is passed through', async () => {
    const s = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'hello' }],
    });
    let text = '';
    for await (const c of s) text += c.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello there, friend!');
  });

  it('OpenAI client -> Anthropic provider: buffered tool call, stop reason and usage translated', async () => {
    const r = await anthropic.messages.create({
      model: 'x',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(r.content[0]).toMatchObject({ type: 'text', text: 'Hello there, friend!' });
    const viaOpenAi = new OpenAI({ baseURL: `${gw.url}/anthropic/v1`, apiKey: 'k', maxRetries: 0 });
    const t = await viaOpenAi.chat.completions.create({
      model: 'whatever',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'what is the weather?' },
      ],
      tools: [weatherTool],
    });
    const msg = t.choices[0]?.message;
    expect(t.choices[0]?.finish_reason).toBe('tool_calls');
    expect(msg?.content).toBe('Checking.');
    expect(msg?.tool_calls?.[0]).toMatchObject({ id: 'call_1', function: { name: 'get_weather' } });
    const call = msg?.tool_calls?.[0];
    expect(call && 'function' in call ? JSON.parse(call.function.arguments) : undefined).toEqual({
      city: 'Paris',
    });
    expect(t.usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 9, total_tokens: 39 });
    const rec = llm.requests[1];
    expect(rec?.provider).toBe('anthropic');
    expect(rec?.model).toBe('claude-test');
    expect(rec?.headers['x-api-key']).toBe('upstream-key');
    expect(rec?.body).toMatchObject({
      system: 'be brief',
      max_tokens: 4096,
      tools: [{ name: 'get_weather' }],
    });
  });

  it('OpenAI client -> Anthropic provider: streamed tool call arrives as delta.tool_calls[index]', async () => {
    const viaOpenAi = new OpenAI({ baseURL: `${gw.url}/anthropic/v1`, apiKey: 'k', maxRetries: 0 });
    const s = await viaOpenAi.chat.completions.create({
      model: 'm',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'weather please' }],
      tools: [weatherTool],
    });
    let text = '';
    let args = '';
    let argChunks = 0;
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const c of s) {
      text += c.choices[0]?.delta.content ?? '';
      for (const tc of c.choices[0]?.delta.tool_calls ?? []) {
        expect(tc.index).toBe(0);
        if (tc.function?.arguments) {
          args += tc.function.arguments;
          argChunks++;
        }
      }
      finish = c.choices[0]?.finish_reason ?? finish;
      if (c.usage) usage = c.usage;
    }
    expect(text).toBe('Checking.');
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
    expect(argChunks).toBeGreaterThan(1);
    expect(finish).toBe('tool_calls');
    expect(usage?.completion_tokens).toBe(9);
  });

  it('Anthropic client -> OpenAI provider: buffered and streamed tool calls (input_json_delta)', async () => {
    const viaAnthropic = new Anthropic({ baseURL: `${gw.url}/openai`, apiKey: 'k', maxRetries: 0 });
    const r = await viaAnthropic.messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 100,
      system: 'be brief',
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: {} } }],
    });
    expect(r.stop_reason).toBe('tool_use');
    expect(r.content).toEqual([
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    expect(r.usage).toMatchObject({ input_tokens: 30, output_tokens: 9 });
    expect(llm.requests[0]?.body).toMatchObject({
      messages: [{ role: 'system', content: 'be brief' }, { role: 'user' }],
    });

    const stream = viaAnthropic.messages.stream({
      model: 'gpt-4o-mini',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: {} } }],
    });
    let jsonDeltas = 0;
    stream.on('streamEvent', (e) => {
      if (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta') jsonDeltas++;
    });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    expect(final.stop_reason).toBe('tool_use');
    expect(final.usage.output_tokens).toBe(9);
    expect(jsonDeltas).toBeGreaterThan(1);
  });

  it('Anthropic client -> Anthropic provider: native, streamed', async () => {
    const stream = anthropic.messages.stream({
      model: 'x',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hello' }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ text: 'Hello there, friend!' });
    expect(llm.requests[0]?.headers['anthropic-version']).toBeDefined();
    const metrics = await gw.registry.metrics();
    expect(metrics).toMatch(
      /agentgateway_gen_ai_client_token_usage_sum\{[^}]*gen_ai_system="anthropic"[^}]*gen_ai_token_type="output"\} [1-9]/,
    );
  });

  it('provider errors reach the caller in its own shape with the upstream status', async () => {
    const viaOpenAi = new OpenAI({ baseURL: `${gw.url}/anthropic/v1`, apiKey: 'k', maxRetries: 0 });
    const e1 = await viaOpenAi.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'overload' }] })
      .catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(OpenAI.APIError);
    expect((e1 as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    expect((e1 as InstanceType<typeof OpenAI.APIError>).message).toContain('slow down');
    const viaAnthropic = new Anthropic({ baseURL: `${gw.url}/openai`, apiKey: 'k', maxRetries: 0 });
    const e2 = await viaAnthropic.messages
      .create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'overload' }] })
      .catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(Anthropic.RateLimitError);
    expect((e2 as { error: unknown }).error).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'slow down' },
    });
  });

  it('malformed JSON is a 400 in the format of the API called, without internals', async () => {
    const a = await request(`${gw.url}/openai/v1/chat/completions`, {
      method: 'POST',
      body: '{nope',
      headers: { 'content-type': 'application/json' },
    });
    expect(a.statusCode).toBe(400);
    const ja = (await a.body.json()) as { error: { type: string; message: string } };
    expect(ja.error.type).toBe('invalid_request_error');
    expect(JSON.stringify(ja)).not.toMatch(/at .*\.ts|upstream-key/);
    const b = await request(`${gw.url}/anthropic/v1/messages`, {
      method: 'POST',
      body: '[1',
      headers: { 'content-type': 'application/json' },
    });
    expect(b.statusCode).toBe(400);
    expect(await b.body.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('Responses API: text and function calls, buffered and streamed, on an Anthropic provider', async () => {
    const viaResponses = new OpenAI({ baseURL: `${gw.url}/anthropic/v1`, apiKey: 'k', maxRetries: 0 });
    const r = await viaResponses.responses.create({ model: 'm', input: 'hello', instructions: 'be nice' });
    expect(r.output_text).toBe('Hello there, friend!');
    expect(llm.requests[0]?.body).toMatchObject({ system: 'be nice' });
    const t = await viaResponses.responses.create({
      model: 'm',
      input: [{ role: 'user', content: 'weather?' }],
      tools: [
        {
          type: 'function',
          name: 'get_weather',
          parameters: { type: 'object', properties: {} },
          strict: false,
        },
      ],
    });
    const fc = t.output.find((o) => o.type === 'function_call');
    expect(fc).toMatchObject({ call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' });
    const s = await viaResponses.responses.create({ model: 'm', input: 'weather?', stream: true });
    let text = '';
    let args = '';
    let completed = false;
    for await (const e of s) {
      if (e.type === 'response.output_text.delta') text += e.delta;
      if (e.type === 'response.function_call_arguments.delta') args += e.delta;
      if (e.type === 'response.completed') completed = true;
    }
    expect(text).toBe('Checking.');
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
    expect(completed).toBe(true);
  });

  it('count_tokens, models and other paths reach the provider', async () => {
    const c = await anthropic.messages.countTokens({
      model: 'x',
      messages: [{ role: 'user', content: 'hello world' }],
    });
    expect(c.input_tokens).toBeGreaterThan(0);
    const m = await openai.models.list();
    expect(m.data.length).toBeGreaterThan(0);
    expect(llm.requests.length).toBeGreaterThan(0);
  });

  it('records agentgateway_gen_ai_* metrics', async () => {
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hello' }],
    });
    const text = await gw.registry.metrics();
    expect(text).toMatch(
      /agentgateway_gen_ai_client_token_usage_sum\{[^}]*gen_ai_system="openai"[^}]*gen_ai_token_type="input"\}/,
    );
    expect(text).toContain('agentgateway_gen_ai_server_request_duration_bucket');
    expect(text).toMatch(/agentgateway_gen_ai_server_time_to_first_token_count\{[^}]*\} [1-9]/);
  });
});

describe('request bodies', () => {
  let llm: MockLlm;
  let gw: TestGateway;
  beforeAll(async () => {
    llm = await startMockLlm({ rules: [{ response: { content: 'ok' } }] });
    gw = await startTestGateway(
      `llm:\n  port: 0\n  models: [{name: "*", provider: openAI, params: {apiKey: k, hostOverride: "127.0.0.1:${llm.port}"}}]\n`,
      { handler: { maxBodyBytes: 4096 } },
    );
  });
  afterAll(async () => {
    await gw?.close();
    await llm?.close();
  });

  it('answers 413 in the caller format to a body over the limit, and serves the next request', async () => {
    const big = await request(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(10_000) }] }),
    });
    expect(big.statusCode).toBe(413);
    expect(((await big.body.json()) as { error: { message: string } }).error.message).toContain('too large');
    expect(llm.requests).toHaveLength(0);
    const c = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const r = await c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0]?.message.content).toBe('ok');
  });
});
