// `promptCaching` through the gateway: cache markers on the requests Anthropic (the mock LLM)
// and Bedrock (a fake upstream replaying a recorded response) receive.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './test-gateway.js';

type Json = Record<string, unknown>;

/** A system prompt of several hundred tokens (above the routes' `minTokens: 200`). */
const LONG_SYSTEM = 'You answer questions about the weather in European cities. '.repeat(60);

const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
    },
  },
  {
    type: 'function' as const,
    function: { name: 'get_time', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
  },
];

const conversation: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'system', content: LONG_SYSTEM },
  { role: 'user', content: 'Weather in Paris?' },
  { role: 'assistant', content: 'Sunny.' },
  { role: 'user', content: 'And in Rome?' },
];

/** Every `cache_control` marker in an Anthropic request body. */
function markers(body: unknown): number {
  return (JSON.stringify(body).match(/"cache_control"/g) ?? []).length;
}

describe('promptCaching on Anthropic providers (mock LLM)', () => {
  let llm: MockLlm;
  let gw: TestGateway;
  let shorthand: TestGateway;

  beforeAll(async () => {
    llm = await startMockLlm({
      apiKey: 'upstream-key',
      rules: [{ name: 'any', response: { content: 'ok', usage: { inputTokens: 5, outputTokens: 1 } } }],
    });
    const host = `127.0.0.1:${llm.port}`;
    const anthropic = (name: string, caching: string) => `
      - ai:
          name: ${name}
          hostOverride: ${host}
          provider: {anthropic: {model: claude-test}}
          policies:
            backendAuth: {key: upstream-key}
            ai: {promptCaching: ${caching}}`;
    gw = await startTestGateway(`
binds:
- port: 0
  listeners:
  - routes:
    - name: defaults
      matches: [{path: {pathPrefix: /defaults}}]
      backends:${anthropic('claude-defaults', '{minTokens: 200}')}
    - name: tools
      matches: [{path: {pathPrefix: /tools}}]
      backends:${anthropic('claude-tools', '{minTokens: 200, cacheTools: true, cacheSystem: false, cacheMessageOffset: 1}')}
    - name: off
      matches: [{path: {pathPrefix: /off}}]
      backends:${anthropic('claude-off', '{minTokens: 200, cacheSystem: false, cacheMessages: false}')}
    - name: openai
      matches: [{path: {pathPrefix: /openai}}]
      backends:
      - ai:
          name: oai
          hostOverride: ${host}
          provider: {openAI: {}}
          policies:
            backendAuth: {key: upstream-key}
            ai: {promptCaching: {minTokens: 0, cacheTools: true}}
`);
    shorthand = await startTestGateway(
      JSON.stringify({
        llm: {
          port: 0,
          providers: [
            {
              name: 'anth',
              provider: 'anthropic',
              params: { hostOverride: host, apiKey: 'upstream-key' },
              defaults: { promptCaching: { minTokens: 0, cacheMessages: false } },
            },
          ],
          models: [
            {
              name: 'own',
              provider: 'anthropic',
              params: { hostOverride: host, apiKey: 'upstream-key', model: 'claude-test' },
              promptCaching: { minTokens: 0, cacheSystem: false },
            },
            { name: 'inherited', provider: { reference: 'anth' }, params: { model: 'claude-test' } },
            {
              name: 'plain',
              provider: { reference: 'anth' },
              params: { model: 'claude-test' },
              promptCaching: null,
            },
          ],
        },
      }),
    );
  });
  afterAll(async () => {
    await gw?.close();
    await shorthand?.close();
    await llm?.close();
  });
  beforeEach(() => llm.reset());

  const openai = (prefix: string, base = gw.url) =>
    new OpenAI({ baseURL: `${base}${prefix}/v1`, apiKey: 'client-key', maxRetries: 0 });
  const lastBody = () => llm.requests.at(-1)?.body as Json;

  it('OpenAI client -> Anthropic: marks the system prompt and the second-to-last message by default', async () => {
    const r = await openai('/defaults').chat.completions.create({
      model: 'm',
      messages: conversation,
      tools,
    });
    expect(r.choices[0]?.message.content).toBe('ok');
    const body = lastBody();
    expect(body.system).toEqual([{ type: 'text', text: LONG_SYSTEM, cache_control: { type: 'ephemeral' } }]);
    const messages = body.messages as Json[];
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'Sunny.', cache_control: { type: 'ephemeral' } }],
    });
    expect(messages[0]).toEqual({ role: 'user', content: 'Weather in Paris?' });
    expect(messages[2]).toEqual({ role: 'user', content: 'And in Rome?' });
    // Tools are only marked with cacheTools.
    expect(markers(body.tools)).toBe(0);
    expect(markers(body)).toBe(2);
  });

  it('adds no markers to a prompt below minTokens', async () => {
    await openai('/defaults').chat.completions.create({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Weather?' },
      ],
      tools,
    });
    const body = lastBody();
    expect(body.system).toBe('Be brief.');
    expect(markers(body)).toBe(0);
  });

  it('cacheTools marks the last tool; cacheMessageOffset moves the message marker back', async () => {
    await openai('/tools').chat.completions.create({ model: 'm', messages: conversation, tools });
    const body = lastBody();
    const sent = body.tools as Json[];
    expect(sent.map((t) => t.cache_control)).toEqual([undefined, { type: 'ephemeral' }]);
    expect(body.system).toBe(LONG_SYSTEM);
    const messages = body.messages as Json[];
    expect(messages[0]).toEqual({
      role: 'user',
      content: [{ type: 'text', text: 'Weather in Paris?', cache_control: { type: 'ephemeral' } }],
    });
    expect(markers(body)).toBe(2);
  });

  it('an offset beyond the conversation marks its first message', async () => {
    await openai('/tools').chat.completions.create({
      model: 'm',
      messages: [
        { role: 'system', content: LONG_SYSTEM },
        { role: 'user', content: 'Weather in Paris?' },
      ],
    });
    expect((lastBody().messages as Json[])[0]).toEqual({
      role: 'user',
      content: [{ type: 'text', text: 'Weather in Paris?', cache_control: { type: 'ephemeral' } }],
    });
  });

  it('adds nothing when every kind of marker is switched off', async () => {
    await openai('/off').chat.completions.create({ model: 'm', messages: conversation, tools });
    expect(markers(lastBody())).toBe(0);
  });

  it('Anthropic client (native): markers are added to its own body, which keeps everything else', async () => {
    const c = new Anthropic({ baseURL: `${gw.url}/defaults`, apiKey: 'client-key', maxRetries: 0 });
    const r = await c.messages.create({
      model: 'claude-test',
      max_tokens: 64,
      system: LONG_SYSTEM,
      metadata: { user_id: 'u1' },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Sunny.' }] },
        { role: 'user', content: 'And in Rome?' },
      ],
    });
    expect(r.content[0]).toMatchObject({ type: 'text', text: 'ok' });
    const body = lastBody();
    expect(body).toMatchObject({ model: 'claude-test', max_tokens: 64, metadata: { user_id: 'u1' } });
    expect(body.system).toEqual([{ type: 'text', text: LONG_SYSTEM, cache_control: { type: 'ephemeral' } }]);
    expect((body.messages as Json[])[1]).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'Sunny.', cache_control: { type: 'ephemeral' } }],
    });
    expect(markers(body)).toBe(2);
  });

  it("never sends more than four markers, counting the client's own", async () => {
    const c = new Anthropic({ baseURL: `${gw.url}/tools`, apiKey: 'client-key', maxRetries: 0 });
    const marked = (text: string) => [
      { type: 'text' as const, text, cache_control: { type: 'ephemeral' as const } },
    ];
    const anthropicTools = tools.map((t) => ({
      name: t.function.name,
      input_schema: t.function.parameters as Anthropic.Tool.InputSchema,
    }));
    // Three markers of the client's: the gateway adds only one (the last tool's).
    await c.messages.create({
      model: 'claude-test',
      max_tokens: 64,
      system: LONG_SYSTEM,
      tools: anthropicTools,
      messages: [
        { role: 'user', content: marked('Weather in Paris?') },
        { role: 'assistant', content: marked('Sunny.') },
        { role: 'user', content: marked('And in Rome?') },
      ],
    });
    let body = lastBody();
    expect(markers(body)).toBe(4);
    expect((body.tools as Json[])[1]?.cache_control).toEqual({ type: 'ephemeral' });

    // Four already: the body goes as the client sent it.
    await c.messages.create({
      model: 'claude-test',
      max_tokens: 64,
      system: marked(LONG_SYSTEM),
      tools: anthropicTools,
      messages: [
        { role: 'user', content: marked('Weather in Paris?') },
        { role: 'assistant', content: marked('Sunny.') },
        { role: 'user', content: marked('And in Rome?') },
      ],
    });
    body = lastBody();
    expect(markers(body)).toBe(4);
    expect((body.tools as Json[]).some((t) => t.cache_control !== undefined)).toBe(false);
  });

  it('OpenAI provider: the request is forwarded without markers', async () => {
    const messages = conversation;
    await openai('/openai').chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
    const body = lastBody();
    expect(markers(body)).toBe(0);
    expect(body.messages).toEqual(messages);
    expect(body.tools).toEqual(tools);
  });

  it('llm: models use their own promptCaching, else their provider defaults', async () => {
    const c = openai('', shorthand.url);
    await c.chat.completions.create({ model: 'own', messages: conversation });
    let body = lastBody();
    expect(body.system).toBe(LONG_SYSTEM);
    expect(markers(body.messages)).toBe(1);

    await c.chat.completions.create({ model: 'inherited', messages: conversation });
    body = lastBody();
    expect(markers(body.system)).toBe(1);
    expect(markers(body.messages)).toBe(0);

    await c.chat.completions.create({ model: 'plain', messages: conversation });
    body = lastBody();
    expect(markers(body.system)).toBe(1);
  });
});

describe('promptCaching on Bedrock (recorded fixture)', () => {
  let upstream: Server;
  let gw: TestGateway;
  const seen: Json[] = [];

  beforeAll(async () => {
    const reply = readFileSync(new URL('./testdata/bedrock-converse.json', import.meta.url), 'utf8');
    upstream = createServer((req, res) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => {
        seen.push(JSON.parse(data || '{}') as Json);
        res.writeHead(200, { 'content-type': 'application/json' }).end(reply);
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(upstream.address() as { port: number }).port}`;
    const bedrock = (name: string, caching: string) => `
      - ai:
          name: ${name}
          hostOverride: "${host}"
          provider: {bedrock: {model: "anthropic.claude-3-haiku-20240307-v1:0", region: us-west-2}}
          policies: {ai: {promptCaching: ${caching}}}`;
    gw = await startTestGateway(
      `
binds:
- port: 0
  listeners:
  - routes:
    - name: all
      matches: [{path: {pathPrefix: /all}}]
      backends:${bedrock('b-all', '{minTokens: 200, cacheTools: true}')}
    - name: defaults
      matches: [{path: {pathPrefix: /defaults}}]
      backends:${bedrock('b-defaults', '{}')}
`,
      { env: { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-example-key' } },
    );
  });
  afterAll(async () => {
    await gw?.close();
    upstream?.closeAllConnections();
    if (upstream) await new Promise((r) => upstream.close(r));
  });
  beforeEach(() => {
    seen.length = 0;
  });

  const client = (prefix: string) =>
    new OpenAI({ baseURL: `${gw.url}${prefix}/v1`, apiKey: 'x', maxRetries: 0 });
  const cachePoint = { cachePoint: { type: 'default' } };

  it('adds cache points after the system prompt, the tools and the second-to-last message', async () => {
    const r = await client('/all').chat.completions.create({ model: 'm', messages: conversation, tools });
    expect(r.choices[0]?.message).toBeDefined();
    const body = seen[0] as Json;
    expect(body.system).toEqual([{ text: LONG_SYSTEM }, cachePoint]);
    const toolSpecs = (body.toolConfig as { tools: Json[] }).tools;
    expect(toolSpecs).toHaveLength(3);
    expect(toolSpecs[2]).toEqual(cachePoint);
    const messages = body.messages as { content: Json[] }[];
    expect(messages[1]?.content).toEqual([{ text: 'Sunny.' }, cachePoint]);
    expect(messages[0]?.content).toEqual([{ text: 'Weather in Paris?' }]);
    expect(messages[2]?.content).toEqual([{ text: 'And in Rome?' }]);
  });

  it('adds none below minTokens (1024 by default)', async () => {
    await client('/defaults').chat.completions.create({ model: 'm', messages: conversation, tools });
    await client('/all').chat.completions.create({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather?' },
      ],
      tools,
    });
    expect(seen).toHaveLength(2);
    for (const body of seen) expect(JSON.stringify(body)).not.toContain('cachePoint');
  });
});
