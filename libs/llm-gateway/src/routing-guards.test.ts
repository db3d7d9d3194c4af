import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import OpenAI from 'openai';
import { request } from 'undici';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './test-gateway.js';

const examples = fileURLToPath(
  new URL('../../../../shared/reference/agentgateway-examples/', import.meta.url),
);

/** Loads an example and points every provider at the mock (the example's own semantics are kept). */
function exampleAtMock(
  file: string,
  host: string,
  edit: (doc: ReturnType<typeof parseDocument>) => void,
): string {
  const doc = parseDocument(readFileSync(examples + file, 'utf8'));
  edit(doc);
  return doc.toString().replaceAll('__MOCK__', host);
}

const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
  const r = await request(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: r.statusCode, headers: r.headers, text: await r.body.text() };
};

describe('llm-basic example (providers at the mock)', () => {
  let llm: MockLlm;
  let gw: TestGateway;
  beforeAll(async () => {
    llm = await startMockLlm({ rules: [{ match: { contains: 'hi' }, response: { content: 'hey' } }] });
    const yaml = exampleAtMock('llm-basic.yaml', `127.0.0.1:${llm.port}`, (doc) => {
      doc.setIn(['llm', 'port'], 0);
      doc.deleteIn(['config']);
      doc.setIn(['llm', 'models', 0, 'params', 'hostOverride'], '__MOCK__');
      doc.setIn(['llm', 'models', 1, 'params', 'hostOverride'], '__MOCK__');
    });
    gw = await startTestGateway(yaml, { env: { OPENAI_API_KEY: 'sk-o', ANTHROPIC_API_KEY: 'sk-a' } });
  });
  afterAll(async () => {
    await gw?.close();
    await llm?.close();
  });
  beforeEach(() => llm.reset());

  it('maps `smart` to gpt-5.5 on OpenAI with $OPENAI_API_KEY', async () => {
    const c = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const r = await c.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(r.choices[0]?.message.content).toBe('hey');
    expect(llm.requests[0]).toMatchObject({ provider: 'openai', model: 'gpt-5.5' });
    expect(llm.requests[0]?.headers.authorization).toBe('Bearer sk-o');
  });

  it('maps anthropic/<model> to <model> on Anthropic (CEL stripPrefix), from an OpenAI client', async () => {
    const c = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const r = await c.chat.completions.create({
      model: 'anthropic/claude-haiku-4-5',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(r.choices[0]?.message.content).toBe('hey');
    expect(llm.requests[0]).toMatchObject({ provider: 'anthropic', model: 'claude-haiku-4-5' });
    expect(llm.requests[0]?.headers['x-api-key']).toBe('sk-a');
  });

  it('lists the configured models and rejects unknown ones in the caller format', async () => {
    const c = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 });
    expect((await c.models.list()).data.map((m) => m.id)).toEqual(['smart']);
    const e = await c.chat.completions
      .create({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] })
      .catch((x: unknown) => x);
    expect((e as { status: number }).status).toBe(404);
  });
});

describe('llm-prompt-guard example (provider at the mock)', () => {
  let llm: MockLlm;
  let gw: TestGateway;
  beforeAll(async () => {
    llm = await startMockLlm({ rules: [{ response: { content: 'fine' } }] });
    const yaml = exampleAtMock('llm-prompt-guard.yaml', `127.0.0.1:${llm.port}`, (doc) => {
      doc.setIn(['binds', 0, 'port'], 0);
      doc.setIn(['binds', 0, 'listeners', 0, 'routes', 0, 'backends', 0, 'ai', 'hostOverride'], '__MOCK__');
    });
    gw = await startTestGateway(yaml);
  });
  afterAll(async () => {
    await gw?.close();
    await llm?.close();
  });

  it('rejects prompts mentioning SSN with the configured 400 body, and emails with theirs', async () => {
    const a = await post(`${gw.url}/v1/chat/completions`, {
      model: 'x',
      messages: [{ role: 'user', content: 'my SSN is secret' }],
    });
    expect(a.status).toBe(400);
    expect(a.headers['content-type']).toBe('application/json');
    expect(JSON.parse(a.text)).toEqual({
      error: {
        message: 'Request rejected: Content contains sensitive information',
        type: 'invalid_request_error',
        code: 'content_policy_violation',
      },
    });
    const b = await post(`${gw.url}/v1/chat/completions`, {
      model: 'x',
      messages: [{ role: 'user', content: 'mail bob@example.com' }],
    });
    expect(b.status).toBe(400);
    expect((JSON.parse(b.text) as { error: { code: string } }).error.code).toBe('pii_detected');
    expect(llm.requests).toHaveLength(0);
    const ok = await post(`${gw.url}/v1/chat/completions`, {
      model: 'x',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(ok.status).toBe(200);
    expect(llm.requests[0]?.model).toBe('gpt-4o-mini');
  });
});

describe('model routing, policies and failover', () => {
  let good: MockLlm;
  let bad: MockLlm;
  let webhook: Server;
  let webhookCalls = 0;
  let gw: TestGateway;

  beforeAll(async () => {
    good = await startMockLlm({
      rules: [
        {
          name: 'pii',
          match: { contains: 'tell me' },
          response: { chunkSize: 3, content: 'Sure: SSN 123-45-6789, card 4111 1111 1111 1111. Done.' },
        },
        {
          name: 'secret',
          match: { contains: 'secret' },
          response: { chunkSize: 4, content: 'The code word is BANANA and more text follows' },
        },
        { name: 'slow', match: { contains: 'slow' }, delayMs: 2000, response: { content: 'late' } },
        { name: 'any', response: { content: 'ok from good' } },
      ],
    });
    bad = await startMockLlm({ rules: [{ error: { status: 500, message: 'boom' } }] });
    // agentgateway's guardrail webhook API: POST /request {body: {messages}} -> {action: ...}.
    webhook = createServer((req, res) => {
      webhookCalls++;
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const { messages } = (JSON.parse(body) as { body: { messages: { role: string; content: string }[] } })
          .body;
        const reject = req.url === '/request' && messages.some((m) => m.content.includes('forbidden'));
        const masked = messages.map((m) => ({ ...m, content: m.content.replaceAll('Alice', '<NAME>') }));
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            action: reject
              ? { body: 'blocked by webhook', status_code: 422, reason: 'forbidden topic' }
              : { body: { messages: masked } },
          }),
        );
      });
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
    const wport = (webhook.address() as { port: number }).port;
    const g = `127.0.0.1:${good.port}`;
    const b = `127.0.0.1:${bad.port}`;
    gw = await startTestGateway(`
binds:
- port: 0
  listeners:
  - routes:
    - name: failover
      matches: [{path: {pathPrefix: /failover}}]
      backends:
      - ai:
          groups:
          - providers:
            - {name: primary, hostOverride: "${b}", provider: {openAI: {model: gpt-primary}}}
          - providers:
            - {name: secondary, hostOverride: "${g}", provider: {anthropic: {model: claude-secondary}}}
    - name: policies
      matches: [{path: {pathPrefix: /policies}}]
      policies:
        timeout: {requestTimeout: 500ms}
        ai:
          modelAliases: {fast: gpt-4o-mini, "legacy-*": gpt-4o}
          defaults: {temperature: 0.3}
          overrides: {max_tokens: 77}
          promptGuard:
            request:
            - regex: {action: mask, rules: [{builtin: creditCard}, {builtin: phoneNumber}]}
            - webhook: {target: {host: "127.0.0.1:${wport}"}}
            response:
            - regex: {action: mask, rules: [{builtin: ssn}, {builtin: creditCard}]}
            - regex: {action: reject, rules: [{pattern: BANANA}]}
              rejection: {status: 451}
      backends:
      - ai: {name: good, hostOverride: "${g}", provider: {openAI: {}}}
    - name: prompts
      matches: [{path: {pathPrefix: /prompts}}]
      policies:
        ai:
          prompts:
            prepend: [{role: system, content: "You are terse."}]
            append: [{role: user, content: "Answer in English."}]
      backends:
      - ai: {name: good3, hostOverride: "${g}", provider: {anthropic: {}}}
    - name: limited
      matches: [{path: {pathPrefix: /limited}}]
      policies:
        localRateLimit: [{maxTokens: 40, tokensPerFill: 1, fillInterval: 1h, type: tokens}]
      backends:
      - ai: {name: good2, hostOverride: "${g}", provider: {openAI: {}}}
`);
  });
  afterAll(async () => {
    await gw?.close();
    await good?.close();
    await bad?.close();
    webhook?.closeAllConnections();
    if (webhook) await new Promise((r) => webhook.close(r));
  });
  beforeEach(() => {
    good.reset();
    bad.reset();
  });

  it('fails over to the next priority group on a provider 500 and evicts the failed provider', async () => {
    const c = new OpenAI({ baseURL: `${gw.url}/failover/v1`, apiKey: 'x', maxRetries: 0 });
    const r = await c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0]?.message.content).toBe('ok from good');
    expect(bad.requests).toHaveLength(1);
    expect(good.requests[0]).toMatchObject({ provider: 'anthropic', model: 'claude-secondary' });
    await c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'again' }] });
    expect(bad.requests).toHaveLength(1); // evicted: not tried again during its backoff
    expect(good.requests).toHaveLength(2);
  });

  it('applies aliases, defaults, overrides, prompt prepend/append and request masking (regex + webhook)', async () => {
    const r = await post(`${gw.url}/policies/v1/chat/completions`, {
      model: 'fast',
      messages: [{ role: 'user', content: 'Alice paid with 4111-1111-1111-1111, call 415-555-0100' }],
    });
    expect(r.status).toBe(200);
    expect(webhookCalls).toBeGreaterThan(0);
    const body = good.requests[0]?.body as {
      model: string;
      temperature: number;
      max_tokens: number;
      messages: { role: string; content: string }[];
    };
    expect(body.model).toBe('gpt-4o-mini');
    expect(body.temperature).toBe(0.3);
    expect(body.max_tokens).toBe(77);
    expect(body.messages).toEqual([
      { role: 'user', content: '<NAME> paid with <CREDIT_CARD>, call <PHONE_NUMBER>' },
    ]);
    const w = await post(`${gw.url}/policies/v1/chat/completions`, {
      model: 'legacy-3',
      messages: [{ role: 'user', content: 'forbidden topic' }],
    });
    expect(w.status).toBe(422);
    expect(w.text).toBe('blocked by webhook');
  });

  it('prepends and appends prompts (system prompts become Anthropic `system`)', async () => {
    const r = await post(`${gw.url}/prompts/v1/chat/completions`, {
      model: 'claude-x',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(r.status).toBe(200);
    expect(good.requests[0]?.body).toMatchObject({
      system: 'You are terse.',
      // Consecutive user turns are merged (Anthropic requires alternating roles).
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hi' },
            { type: 'text', text: 'Answer in English.' },
          ],
        },
      ],
    });
  });

  it('masks SSNs and card numbers in a streamed response: the digits never reach the client', async () => {
    const r = await post(`${gw.url}/policies/v1/chat/completions`, {
      model: 'fast',
      stream: true,
      messages: [{ role: 'user', content: 'tell me' }],
    });
    expect(r.status).toBe(200);
    expect(r.text).not.toMatch(/123|6789|4111/);
    const text = r.text
      .split('\n')
      .filter((l) => l.startsWith('data: {'))
      .map(
        (l) =>
          (JSON.parse(l.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta
            .content ?? '',
      )
      .join('');
    expect(text).toBe('Sure: SSN <SSN>, card <CREDIT_CARD>. Done.');
    expect(r.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('masks buffered responses too', async () => {
    const c = new OpenAI({ baseURL: `${gw.url}/policies/v1`, apiKey: 'x', maxRetries: 0 });
    const r = await c.chat.completions.create({
      model: 'fast',
      messages: [{ role: 'user', content: 'tell me' }],
    });
    expect(r.choices[0]?.message.content).toBe('Sure: SSN <SSN>, card <CREDIT_CARD>. Done.');
  });

  it('a response reject ends the stream with a well-formed error event (OpenAI SDK raises it)', async () => {
    const c = new OpenAI({ baseURL: `${gw.url}/policies/v1`, apiKey: 'x', maxRetries: 0 });
    const s = await c.chat.completions.create({
      model: 'fast',
      stream: true,
      messages: [{ role: 'user', content: 'secret' }],
    });
    let text = '';
    const err = await (async () => {
      for await (const ch of s) text += ch.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(text).not.toContain('BANANA');
    const buffered = await post(`${gw.url}/policies/v1/chat/completions`, {
      model: 'fast',
      messages: [{ role: 'user', content: 'secret' }],
    });
    expect(buffered.status).toBe(451);
  });

  it('enforces the per-request timeout with a 504 in the caller format', async () => {
    const r = await post(`${gw.url}/policies/v1/chat/completions`, {
      model: 'fast',
      messages: [{ role: 'user', content: 'slow' }],
    });
    expect(r.status).toBe(504);
    expect((JSON.parse(r.text) as { error: { message: string } }).error.message).toContain('timeout');
  });

  it('limits by tokens: prompt estimate up front, settled with the provider usage', async () => {
    const url = `${gw.url}/limited/v1/chat/completions`;
    const first = await post(url, { model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(first.status).toBe(200);
    let last = first.status;
    for (let i = 0; i < 10 && last === 200; i++)
      last = (await post(url, { model: 'm', messages: [{ role: 'user', content: 'hi' }] })).status;
    expect(last).toBe(429);
  });
});
