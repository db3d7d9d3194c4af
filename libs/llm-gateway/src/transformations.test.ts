import Anthropic from '@anthropic-ai/sdk';
import { loadConfig } from '@agentplane/gateway-config';
import { DataPlane, GatewayMetrics } from '@agentplane/gateway-engine';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import OpenAI from 'openai';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLlmHandlerFactory } from './llm-handler-factory.js';
import { startTestGateway, type TestGateway } from './test-gateway.js';

describe('ai.transformations and ai.finalTransformations (mock LLM upstream)', () => {
  let llm: MockLlm;
  let gw: TestGateway;
  const client = (prefix: string, headers: Record<string, string> = {}) =>
    new OpenAI({
      baseURL: `${gw.url}/${prefix}/v1`,
      apiKey: 'client-key',
      maxRetries: 0,
      defaultHeaders: headers,
    });
  const bodyOf = (i: number) => llm.requests[i]?.body as Record<string, unknown>;

  beforeAll(async () => {
    llm = await startMockLlm({
      rules: [{ response: { content: 'ok', usage: { inputTokens: 3, outputTokens: 1 } } }],
    });
    const host = `127.0.0.1:${llm.port}`;
    gw = await startTestGateway(`
binds:
- port: 0
  listeners:
  - routes:
    - name: oai
      matches: [{path: {pathPrefix: /oai}}]
      policies:
        ai:
          defaults: {temperature: 0.3}
          transformations:
            user: 'request.headers["x-user"]'
            max_completion_tokens: 'size(llmRequest.messages) * 100'
            presence_penalty: 'null'
            metadata.tenant: '"t-" + request.headers["x-user"]'
            model: '"x-tier" in request.headers ? "gpt-4o-" + request.headers["x-tier"] : llmRequest.model'
            seed: 'llmRequest.temperature > 0.2 ? 1 : 2'
      backends:
      - ai: {name: oai, hostOverride: "${host}", provider: {openAI: {}}, policies: {backendAuth: {key: k}}}
    - name: claude
      matches: [{path: {pathPrefix: /claude}}]
      backends:
      - ai:
          name: claude
          hostOverride: "${host}"
          provider: {anthropic: {model: claude-test}}
          policies:
            backendAuth: {key: k}
            ai:
              finalTransformations:
                top_k: '5'
                metadata: '{"user_id": request.headers["x-user"]}'
                stop_sequences: 'null'
    - name: native
      matches: [{path: {pathPrefix: /native}}]
      policies:
        ai:
          finalTransformations:
            seed: '7'
            metadata.source: 'llmRequest.model'
      backends:
      - ai: {name: native, hostOverride: "${host}", provider: {openAI: {}}, policies: {backendAuth: {key: k}}}
`);
  });
  afterAll(async () => {
    await gw?.close();
    await llm?.close();
  });
  beforeEach(() => llm.reset());

  it('computes body fields from a request header and the request, after the defaults', async () => {
    const r = await client('oai', { 'x-user': 'alice' }).chat.completions.create({
      model: 'gpt-4o',
      presence_penalty: 0.5,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(r.choices[0]?.message.content).toBe('ok');
    const body = bodyOf(0);
    expect(body).toMatchObject({
      model: 'gpt-4o',
      user: 'alice',
      max_completion_tokens: 200,
      metadata: { tenant: 't-alice' },
      temperature: 0.3,
      seed: 1,
    });
    expect(typeof body.max_completion_tokens).toBe('number');
    expect(body).not.toHaveProperty('presence_penalty');
  });

  it('can change the model sent to the provider', async () => {
    await client('oai', { 'x-user': 'bob', 'x-tier': 'mini' }).chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(llm.requests[0]?.model).toBe('gpt-4o-mini');
    expect(bodyOf(0)).toMatchObject({ model: 'gpt-4o-mini', user: 'bob' });
  });

  it('answers a failing expression with a 500 in the caller format naming the field', async () => {
    const err = await client('oai')
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
    expect((err as Error).message).toMatch(/cannot compute request field "user"/);
    expect(llm.requests).toHaveLength(0);
  });

  it('finalTransformations set provider-only fields after translation (OpenAI client -> Anthropic)', async () => {
    const r = await client('claude', { 'x-user': 'carol' }).chat.completions.create({
      model: 'anything',
      stop: ['END'],
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(r.choices[0]?.message.content).toBe('ok');
    expect(llm.requests[0]?.provider).toBe('anthropic');
    const body = bodyOf(0);
    expect(body).toMatchObject({ model: 'claude-test', top_k: 5, metadata: { user_id: 'carol' } });
    expect(body.max_tokens).toEqual(expect.any(Number));
    expect(body).not.toHaveProperty('stop_sequences');

    // An Anthropic client on the same route goes natively: the body is re-serialised.
    const anthropic = new Anthropic({
      baseURL: `${gw.url}/claude`,
      apiKey: 'client-key',
      maxRetries: 0,
      defaultHeaders: { 'x-user': 'dave' },
    });
    const m = await anthropic.messages.create({
      model: 'anything',
      max_tokens: 20,
      stop_sequences: ['END'],
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(m.content[0]).toMatchObject({ type: 'text', text: 'ok' });
    expect(bodyOf(1)).toMatchObject({ top_k: 5, metadata: { user_id: 'dave' }, max_tokens: 20 });
    expect(bodyOf(1)).not.toHaveProperty('stop_sequences');
  });

  it('a failing final expression is a 500 in the Anthropic shape, and the provider is not evicted', async () => {
    const anthropic = new Anthropic({ baseURL: `${gw.url}/claude`, apiKey: 'client-key', maxRetries: 0 });
    const err = await anthropic.messages
      .create({ model: 'anything', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    const e = err as InstanceType<typeof Anthropic.APIError>;
    expect(e.status).toBe(500);
    expect(e.error).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    const detail = (e.error as { error?: { message?: string } }).error?.message;
    expect(detail).toMatch(/^cannot compute request field "metadata": /);
    expect(llm.requests).toHaveLength(0);
    const ok = await client('claude', { 'x-user': 'erin' }).chat.completions.create({
      model: 'anything',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(ok.choices[0]?.message.content).toBe('ok');
  });

  it('finalTransformations re-serialise a natively forwarded body (buffered and streamed)', async () => {
    const oai = client('native');
    await oai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(bodyOf(0)).toMatchObject({ model: 'gpt-4o', seed: 7, metadata: { source: 'gpt-4o' } });

    const s = await oai.chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    let text = '';
    for await (const c of s) text += c.choices[0]?.delta.content ?? '';
    expect(text).toBe('ok');
    expect(bodyOf(1)).toMatchObject({ stream: true, seed: 7, stream_options: { include_usage: true } });
  });
});

/** Applies a config to a fresh data plane. */
async function applyOnce(yaml: string): Promise<void> {
  const logger = pino({ level: 'silent' });
  const factory = createLlmHandlerFactory({ logger, env: {} });
  const dp = new DataPlane({
    logger,
    metrics: new GatewayMetrics({ registry: new Registry(), version: 'test' }),
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

describe('transformations are compiled when the config is applied', () => {
  const config = (routeAi: string, backendAi = '') => `
binds:
- port: 0
  listeners:
  - routes:
    - policies: {ai: ${routeAi}}
      backends:
      - ai: {name: oai, hostOverride: "127.0.0.1:1", provider: {openAI: {}}${backendAi ? `, policies: {ai: ${backendAi}}` : ''}}
`;

  it('rejects a bad expression on a route, naming its key path', async () => {
    await expect(applyOnce(config(`{transformations: {user: 'request.headers["x-user"'}}`))).rejects.toThrow(
      /policies\.ai\.transformations\.user: invalid CEL expression/,
    );
    await expect(
      applyOnce(config(`{finalTransformations: {"metadata.user_id": 'noSuchFn(1)'}}`)),
    ).rejects.toThrow(
      /policies\.ai\.finalTransformations\.metadata\.user_id: invalid CEL expression: .*noSuchFn/,
    );
  });

  it('rejects a bad expression on an ai backend, naming its key path', async () => {
    await expect(applyOnce(config('{}', `{finalTransformations: {top_k: '1 +'}}`))).rejects.toThrow(
      'binds[0].listeners[0].routes[0].backends[0].ai.policies.ai.finalTransformations.top_k: invalid CEL expression',
    );
  });

  it('rejects an empty path segment in a key', async () => {
    await expect(applyOnce(config(`{transformations: {"metadata..x": '"v"'}}`))).rejects.toThrow(
      /transformations\["metadata\.\.x"\]: invalid body field/,
    );
  });

  it('accepts valid expressions', async () => {
    await expect(
      applyOnce(config(`{transformations: {max_tokens: '10'}, finalTransformations: {top_k: '5'}}`)),
    ).resolves.toBeUndefined();
  });
});
