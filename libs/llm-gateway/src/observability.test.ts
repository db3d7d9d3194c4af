// Cost per request (model price catalog), the `agentgateway_gen_ai_*` metrics, the request's log
// line and the OpenTelemetry GenAI span, through the gateway with the official clients and the
// mock LLM. Spans go to the OpenTelemetry SDK's in-memory exporter.
import Anthropic from '@anthropic-ai/sdk';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import OpenAI from 'openai';
import { pino } from 'pino';
import { waitFor } from '@agentplane/testing/wait';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './test-gateway.js';

const CATALOG = `
config:
  modelCatalog:
  - inline:
      providers:
        openai:
          models:
            gpt-4o-mini: {rates: {input: "0.15", output: "0.60", cacheRead: "0.075"}}
        anthropic:
          models:
            "claude-*": {rates: {input: "3", output: "15"}}
`;

describe('LLM cost, metrics, log line and GenAI span', () => {
  const llmSection = () => `
llm:
  port: 0
  models:
  - name: gpt-4o-mini
    provider: openAI
    params: {apiKey: sk-o, hostOverride: "127.0.0.1:${llm.port}"}
  - name: "claude-*"
    provider: anthropic
    params: {apiKey: sk-a, hostOverride: "127.0.0.1:${llm.port}"}
  - name: unpriced
    provider: openAI
    params: {apiKey: sk-o, hostOverride: "127.0.0.1:${llm.port}"}
`;
  let llm: MockLlm;
  let gw: TestGateway;
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const contextManager = new AsyncLocalStorageContextManager();
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    contextManager.enable();
    context.setGlobalContextManager(contextManager);
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    llm = await startMockLlm({
      rules: [
        {
          name: 'cached',
          match: { contains: 'cached' },
          raw: {
            openai: {
              id: 'chatcmpl-cached',
              object: 'chat.completion',
              created: 1,
              model: 'gpt-4o-mini-2024-07-18',
              choices: [
                { index: 0, message: { role: 'assistant', content: 'from cache' }, finish_reason: 'stop' },
              ],
              usage: {
                prompt_tokens: 2000,
                completion_tokens: 100,
                total_tokens: 2100,
                prompt_tokens_details: { cached_tokens: 1500 },
              },
            },
          },
        },
        {
          name: 'answer',
          response: {
            id: 'resp-1',
            content: 'The answer is 42.',
            finishReason: 'stop',
            usage: { inputTokens: 1000, outputTokens: 200 },
          },
        },
      ],
    });
    const logger = pino(
      { level: 'info' },
      { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) },
    );
    gw = await startTestGateway(`${CATALOG}${llmSection()}`, { handler: { logger } });
  });
  afterAll(async () => {
    await gw?.close();
    await llm?.close();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });
  beforeEach(() => {
    exporter.reset();
    lines.length = 0;
    llm.reset();
  });

  const openai = () => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 });
  const metric = async (name: string, labels: Record<string, string>): Promise<number | undefined> => {
    const m = (await gw.registry.getMetricsAsJSON()).find((x) => x.name === name);
    const v = (m?.values as { labels: Record<string, string>; value: number }[] | undefined)?.find((x) =>
      Object.entries(labels).every(([k, l]) => x.labels[k] === l),
    );
    return v?.value;
  };
  /** The finished LLM span (export is asynchronous: flushed and polled for). */
  const llmSpan = async (): Promise<ReadableSpan> => {
    let spans: ReadableSpan[] = [];
    await waitFor(
      async () => {
        await provider.forceFlush();
        // Ours only: the Anthropic SDK traces its own calls when a tracer provider is registered.
        spans = exporter
          .getFinishedSpans()
          .filter((s) => s.instrumentationScope.name === '@agentplane/llm-gateway');
        return spans.length > 0;
      },
      { timeoutMs: 5000, description: 'the LLM span' },
    );
    expect(spans).toHaveLength(1);
    return spans[0] as ReadableSpan;
  };
  const serverSpan = async (): Promise<ReadableSpan | undefined> => {
    let span: ReadableSpan | undefined;
    await waitFor(
      async () => {
        await provider.forceFlush();
        span = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER);
        return span !== undefined;
      },
      { timeoutMs: 5000, description: 'the request span' },
    );
    return span;
  };
  const logLine = () => {
    const l = lines.filter((x) => x.msg === 'llm request');
    expect(l).toHaveLength(1);
    return l[0] as Record<string, unknown>;
  };

  it('buffered: prices the request from the catalog and reports it as metric, log field and span attribute', async () => {
    const before =
      (await metric('agentgateway_gen_ai_cost_total', { gen_ai_request_model: 'gpt-4o-mini' })) ?? 0;
    const r = await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      max_tokens: 300,
      temperature: 0.5,
      messages: [{ role: 'user', content: 'question' }],
    });
    expect(r.choices[0]?.message.content).toBe('The answer is 42.');
    // 1000 × 0.15 / 1M + 200 × 0.60 / 1M
    const cost = 0.00027;
    const after = await metric('agentgateway_gen_ai_cost_total', {
      gen_ai_system: 'openai',
      gen_ai_request_model: 'gpt-4o-mini',
      gen_ai_operation_name: 'chat',
    });
    expect(after! - before).toBeCloseTo(cost, 12);
    expect(logLine()).toMatchObject({
      status: 200,
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 200,
      'gen_ai.usage.cost': cost,
    });

    const span = await llmSpan();
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.request.max_tokens': 300,
      'gen_ai.request.temperature': 0.5,
      'gen_ai.response.id': 'resp-1',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 200,
      'gen_ai.usage.cost': cost,
      'server.address': '127.0.0.1',
      'server.port': llm.port,
    });
    // A child of the data plane's request span, in the same trace, named upstream as the parent.
    const server = await serverSpan();
    expect(span.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(span.spanContext().traceId).toBe(server?.spanContext().traceId);
    expect(llm.requests[0]?.headers.traceparent).toBe(
      `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`,
    );
  });

  it('buffered: cached prompt tokens are billed at the cache rate and reported as such', async () => {
    const r = await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'cached please' }],
    });
    expect(r.usage?.prompt_tokens_details?.cached_tokens).toBe(1500);
    // The response names a dated model: no entry, so the requested model's price applies.
    const cost = (500 * 0.15 + 1500 * 0.075 + 100 * 0.6) / 1e6;
    expect(logLine()['gen_ai.usage.cost']).toBeCloseTo(cost, 12);
    expect((await llmSpan()).attributes).toMatchObject({
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.usage.input_tokens': 2000,
      'gen_ai.usage.cache_read.input_tokens': 1500,
    });
  });

  it('streamed (OpenAI client without include_usage): usage is asked for upstream, priced, and not forwarded', async () => {
    const s = await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'question' }],
    });
    let text = '';
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of s) {
      chunks.push(c);
      text += c.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('The answer is 42.');
    // The client did not ask for usage: no usage-only chunk (with empty choices) reaches it.
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect((llm.requests[0]?.body as { stream_options?: unknown }).stream_options).toEqual({
      include_usage: true,
    });
    expect(logLine()['gen_ai.usage.cost']).toBeCloseTo(0.00027, 12);
    expect((await llmSpan()).attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.output_tokens': 200,
      'gen_ai.usage.cost': 0.00027,
    });
    const ttft = (
      await gw.registry.getSingleMetric('agentgateway_gen_ai_server_time_to_first_token')?.get()
    )?.values.find(
      (v) =>
        (v as { metricName?: string }).metricName?.endsWith('_count') &&
        v.labels.gen_ai_request_model === 'gpt-4o-mini',
    );
    expect(ttft?.value).toBeGreaterThanOrEqual(1);
  });

  it('streamed (Anthropic client, wildcard price): cost, span and metric', async () => {
    const c = new Anthropic({ baseURL: gw.url, apiKey: 'x', maxRetries: 0 });
    const s = c.messages.stream({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'question' }],
    });
    const final = await s.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'The answer is 42.' });
    const cost = (1000 * 3 + 200 * 15) / 1e6;
    expect(logLine()['gen_ai.usage.cost']).toBeCloseTo(cost, 12);
    const span = await llmSpan();
    expect(span.name).toBe('chat claude-sonnet-4-5');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.max_tokens': 100,
      // The gateway's (OpenAI chat) vocabulary for every provider and client format.
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 200,
    });
    expect(span.attributes['gen_ai.usage.cost']).toBeCloseTo(cost, 12);
    expect(
      await metric('agentgateway_gen_ai_cost_total', {
        gen_ai_system: 'anthropic',
        gen_ai_request_model: 'claude-sonnet-4-5',
      }),
    ).toBeGreaterThanOrEqual(cost);
  });

  it('a model without a price has usage but no cost; an upstream error marks the span', async () => {
    await openai().chat.completions.create({ model: 'unpriced', messages: [{ role: 'user', content: 'q' }] });
    expect(logLine()).toMatchObject({ 'gen_ai.usage.input_tokens': 1000 });
    expect(logLine()['gen_ai.usage.cost']).toBeUndefined();
    expect((await llmSpan()).attributes['gen_ai.usage.cost']).toBeUndefined();

    exporter.reset();
    lines.length = 0;
    llm.setRules([{ error: { status: 503, message: 'down' } }]);
    const e = await openai()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'q' }] })
      .catch((x: unknown) => x);
    expect((e as { status: number }).status).toBe(503);
    const span = await llmSpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('503');
  });

  it('requests answered before any provider get their log line too', async () => {
    const e = await openai()
      .chat.completions.create({ model: 'not-served', messages: [{ role: 'user', content: 'q' }] })
      .catch((x: unknown) => x);
    expect((e as { status: number }).status).toBe(404);
    expect(logLine()).toMatchObject({ status: 404, 'gen_ai.request.model': 'not-served' });
    expect(logLine()['gen_ai.usage.cost']).toBeUndefined();
  });

  it('a reloaded catalog prices the next request', async () => {
    // Same backends: the handler is kept, and prices with the new catalog.
    await gw.reload(`${CATALOG.replace('"0.15"', '"1"')}${llmSection()}`);
    llm.setRules([{ response: { content: 'ok', usage: { inputTokens: 1000, outputTokens: 0 } } }]);
    await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'q' }],
    });
    expect(logLine()['gen_ai.usage.cost']).toBeCloseTo(0.001, 12);
  });
});
