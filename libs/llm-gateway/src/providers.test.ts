// Gemini and Bedrock, through the gateway, against a fake upstream that replays recorded
// real-format responses (no real provider is reachable from tests).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './test-gateway.js';
import { encodeEventStreamFrame } from './translate/bedrock.js';

const fixture = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

describe('Gemini and Bedrock providers (recorded fixtures)', () => {
  let upstream: Server;
  let gw: TestGateway;
  const seen: Seen[] = [];
  let fail = false;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => {
        const path = req.url ?? '';
        seen.push({ path, headers: req.headers, body: JSON.parse(data || '{}') as Record<string, unknown> });
        const gemini = path.includes(':');
        if (fail) {
          res.writeHead(429, { 'content-type': 'application/json' });
          res.end(fixture(gemini ? 'gemini-error.json' : 'bedrock-error.json'));
        } else if (path.endsWith(':generateContent')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(fixture('gemini-generate-content.json'));
        } else if (path.includes(':streamGenerateContent')) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          for (const part of fixture('gemini-stream.sse').split(/(?<=\n\n)/)) res.write(part);
          res.end();
        } else if (path.endsWith('/converse')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(fixture('bedrock-converse.json'));
        } else if (path.endsWith('/converse-stream')) {
          res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
          const events = JSON.parse(fixture('bedrock-converse-stream.json')) as [string, unknown][];
          const frames = Buffer.concat(
            events.map(([type, payload]) =>
              encodeEventStreamFrame(
                { ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' },
                JSON.stringify(payload),
              ),
            ),
          );
          // Split mid-frame to exercise reassembly.
          res.write(frames.subarray(0, 50));
          res.end(frames.subarray(50));
        } else {
          res.writeHead(404).end();
        }
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(upstream.address() as { port: number }).port}`;
    gw = await startTestGateway(
      `
binds:
- port: 0
  listeners:
  - routes:
    - name: gemini
      matches: [{path: {pathPrefix: /gemini}}]
      backends:
      - ai: {name: g, hostOverride: "${host}", provider: {gemini: {model: gemini-2.5-flash}}, policies: {backendAuth: {key: g-key}}}
    - name: bedrock
      matches: [{path: {pathPrefix: /bedrock}}]
      backends:
      - ai: {name: b, hostOverride: "${host}", provider: {bedrock: {model: "anthropic.claude-3-haiku-20240307-v1:0", region: us-west-2}}}
`,
      {
        env: {
          AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        },
      },
    );
  });
  afterAll(async () => {
    await gw?.close();
    upstream?.closeAllConnections();
    if (upstream) await new Promise((r) => upstream.close(r));
  });
  beforeEach(() => {
    seen.length = 0;
    fail = false;
  });

  const tools = [
    {
      type: 'function' as const,
      function: {
        name: 'get_weather',
        parameters: { type: 'object', additionalProperties: false, properties: { city: { type: 'string' } } },
      },
    },
  ];

  it('OpenAI client -> Gemini: request translated, buffered tool call and usage back', async () => {
    const c = new OpenAI({ baseURL: `${gw.url}/gemini/v1`, apiKey: 'x', maxRetries: 0 });
    const r = await c.chat.completions.create({
      model: 'ignored',
      max_tokens: 50,
      messages: [
        { role: 'system', content: 'be brief' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'weather?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
      tools,
    });
    expect(seen[0]?.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(seen[0]?.headers['x-goog-api-key']).toBe('g-key');
    expect(seen[0]?.body).toEqual({
      contents: [
        {
          role: 'user',
          parts: [{ text: 'weather?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }],
        },
      ],
      systemInstruction: { parts: [{ text: 'be brief' }] },
      generationConfig: { maxOutputTokens: 50 },
      tools: [
        {
          functionDeclarations: [
            { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
          ],
        },
      ],
    });
    expect(r.choices[0]?.message.content).toBe('Let me check the weather.');
    expect(r.choices[0]?.finish_reason).toBe('tool_calls');
    const call = r.choices[0]?.message.tool_calls?.[0];
    expect(call && 'function' in call ? call.function : undefined).toEqual({
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
    });
    expect(r.usage).toMatchObject({ prompt_tokens: 21, completion_tokens: 11, total_tokens: 32 });
  });

  it('Anthropic client -> Gemini, streamed', async () => {
    const c = new Anthropic({ baseURL: `${gw.url}/gemini`, apiKey: 'x', maxRetries: 0 });
    const final = await c.messages
      .stream({ model: 'm', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage();
    expect(seen[0]?.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'Hello from Gemini' });
    expect(final.content[1]).toMatchObject({
      type: 'tool_use',
      name: 'get_weather',
      input: { city: 'Paris' },
    });
    expect(final.stop_reason).toBe('tool_use');
    expect(final.usage.output_tokens).toBe(7);
  });

  it('Gemini errors are translated with the status kept', async () => {
    fail = true;
    const c = new OpenAI({ baseURL: `${gw.url}/gemini/v1`, apiKey: 'x', maxRetries: 0 });
    const e = await c.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })
      .catch((x: unknown) => x);
    expect((e as { status: number }).status).toBe(429);
    expect((e as Error).message).toContain('Resource has been exhausted');
  });

  it('OpenAI client -> Bedrock Converse: SigV4-signed, translated both ways', async () => {
    const c = new OpenAI({ baseURL: `${gw.url}/bedrock/v1`, apiKey: 'x', maxRetries: 0 });
    const r = await c.chat.completions.create({
      model: 'm',
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 't1', content: 'cold' },
      ],
      tools,
      tool_choice: 'required',
    });
    const req = seen[0];
    expect(req?.path).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    expect(String(req?.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/bedrock\/aws4_request, SignedHeaders=.*host.*, Signature=[0-9a-f]{64}$/,
    );
    expect(req?.headers['x-amz-date']).toBeDefined();
    expect(req?.body).toMatchObject({
      system: [{ text: 'be brief' }],
      messages: [
        { role: 'user', content: [{ text: 'weather?' }] },
        {
          role: 'assistant',
          content: [{ toolUse: { toolUseId: 't1', name: 'get_weather', input: { city: 'Oslo' } } }],
        },
        { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'cold' }] } }] },
      ],
      inferenceConfig: { temperature: 0.2 },
      toolConfig: { tools: [{ toolSpec: { name: 'get_weather' } }], toolChoice: { any: {} } },
    });
    expect(r.choices[0]?.message.content).toBe("I'll look that up.");
    expect(r.choices[0]?.finish_reason).toBe('tool_calls');
    expect(r.choices[0]?.message.tool_calls?.[0]).toMatchObject({ id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q' });
    expect(r.usage).toMatchObject({ prompt_tokens: 412, completion_tokens: 56 });
  });

  it('OpenAI client -> Bedrock ConverseStream: event-stream frames become chat chunks', async () => {
    const c = new OpenAI({ baseURL: `${gw.url}/bedrock/v1`, apiKey: 'x', maxRetries: 0 });
    const s = await c.chat.completions.create({
      model: 'm',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
      tools,
    });
    let text = '';
    let args = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const ch of s) {
      text += ch.choices[0]?.delta.content ?? '';
      for (const t of ch.choices[0]?.delta.tool_calls ?? []) args += t.function?.arguments ?? '';
      finish = ch.choices[0]?.finish_reason ?? finish;
      usage = ch.usage ?? usage;
    }
    expect(seen[0]?.path).toContain('/converse-stream');
    expect(text).toBe('Hello from Bedrock');
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
    expect(finish).toBe('tool_calls');
    expect(usage).toMatchObject({ prompt_tokens: 18, completion_tokens: 25 });
  });

  it('Bedrock errors keep their status and reach an Anthropic client in its shape', async () => {
    fail = true;
    const c = new Anthropic({ baseURL: `${gw.url}/bedrock`, apiKey: 'x', maxRetries: 0 });
    const e = await c.messages
      .create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Anthropic.RateLimitError);
    expect((e as Error).message).toContain('Too many requests');
  });
});
