// Gemini-native clients (`:generateContent`, `:streamGenerateContent`, `:countTokens`) through the
// gateway, driven with Google's own `@google/genai` client: translated to OpenAI and Anthropic
// providers (the mock LLM), and passed through to a Gemini provider (a local server replaying
// recorded real-format responses).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { ApiError, FunctionCallingConfigMode, GoogleGenAI, Type } from '@google/genai';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './test-gateway.js';

const fixture = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
}

const post = async (url: string, body: string) => {
  const r = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  return { status: r.statusCode, headers: r.headers, text: await r.body.text() };
};

/** The `error` of a Google-shaped error body. */
const googleError = (text: string) =>
  (JSON.parse(text) as { error: { code: number; message: string; status: string } }).error;

const weatherDeclaration = {
  name: 'get_weather',
  description: 'Current weather of a city',
  parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ['city'] },
};

describe('Gemini clients through the gateway', () => {
  let llm: MockLlm;
  let upstream: Server;
  let gw: TestGateway;
  const seen: Seen[] = [];

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
            chunkSize: 4,
          },
        },
        {
          name: 'after-tool',
          match: { role: 'tool' },
          response: { content: 'It is 21 degrees in Paris.', usage: { inputTokens: 40, outputTokens: 8 } },
        },
        { name: 'overloaded', match: { contains: 'overload' }, error: { status: 429, message: 'slow down' } },
        {
          name: 'hello',
          match: { contains: 'hello' },
          response: {
            content: 'Hello there, friend!',
            usage: { inputTokens: 5, outputTokens: 4 },
            chunkSize: 5,
          },
        },
      ],
    });
    upstream = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const path = req.url ?? '';
        seen.push({ path, headers: req.headers, raw });
        if (path.endsWith(':generateContent')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(fixture('gemini-generate-content.json'));
        } else if (path.includes(':streamGenerateContent')) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          for (const part of fixture('gemini-stream.sse').split(/(?<=\n\n)/)) res.write(part);
          res.end();
        } else if (path.endsWith(':countTokens')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(fixture('gemini-count-tokens.json'));
        } else res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const fixtureHost = `127.0.0.1:${(upstream.address() as { port: number }).port}`;
    const mock = `127.0.0.1:${llm.port}`;
    gw = await startTestGateway(`
binds:
- port: 0
  listeners:
  - routes:
    - name: openai
      matches: [{path: {pathPrefix: /openai}}]
      backends:
      - ai: {name: oai, hostOverride: "${mock}", provider: {openAI: {}}, policies: {backendAuth: {key: upstream-key}}}
    - name: anthropic
      matches: [{path: {pathPrefix: /anthropic}}]
      backends:
      - ai: {name: claude, hostOverride: "${mock}", provider: {anthropic: {model: claude-test}}, policies: {backendAuth: {key: upstream-key}}}
    - name: gemini
      matches: [{path: {pathPrefix: /gemini}}]
      backends:
      - ai: {name: g, hostOverride: "${fixtureHost}", provider: {gemini: {}}, policies: {backendAuth: {key: g-key}}}
    - name: guarded
      matches: [{path: {pathPrefix: /guarded}}]
      policies:
        ai:
          modelAliases: {fast: gpt-4o-mini}
          prompts:
            prepend: [{role: system, content: "You are terse."}]
          promptGuard:
            request:
            - regex: {action: mask, rules: [{builtin: email}]}
            response:
            - regex: {action: mask, rules: [{pattern: friend}]}
      backends:
      - ai: {name: oai2, hostOverride: "${mock}", provider: {openAI: {}}, policies: {backendAuth: {key: upstream-key}}}
    - name: guarded-gemini
      matches: [{path: {pathPrefix: /ggemini}}]
      policies:
        ai:
          promptGuard:
            request:
            - regex: {action: mask, rules: [{builtin: email}]}
      backends:
      - ai: {name: g2, hostOverride: "${fixtureHost}", provider: {gemini: {}}, policies: {backendAuth: {key: g-key}}}
    - name: routed
      matches: [{path: {pathPrefix: /routed}}]
      policies:
        ai:
          routes: {"/chat": generateContent}
      backends:
      - ai: {name: oai3, hostOverride: "${mock}", provider: {openAI: {model: gpt-4o-mini}}, policies: {backendAuth: {key: upstream-key}}}
`);
  });
  afterAll(async () => {
    await gw?.close();
    await llm?.close();
    upstream?.closeAllConnections();
    if (upstream) await new Promise((r) => upstream.close(r));
  });
  beforeEach(() => {
    llm.reset();
    seen.length = 0;
  });

  const client = (prefix: string) =>
    new GoogleGenAI({ apiKey: 'client-key', httpOptions: { baseUrl: `${gw.url}/${prefix}` } });

  it('buffered text from an OpenAI provider: request and response translated', async () => {
    const r = await client('openai').models.generateContent({
      model: 'gpt-4o-mini',
      contents: 'say hello',
      config: {
        systemInstruction: 'be brief',
        temperature: 0.3,
        topP: 0.9,
        topK: 40,
        maxOutputTokens: 50,
        stopSequences: ['END'],
        seed: 7,
        responseMimeType: 'application/json',
        responseSchema: { type: Type.OBJECT, properties: { greeting: { type: Type.STRING } } },
      },
    });
    expect(r.text).toBe('Hello there, friend!');
    expect(r.candidates?.[0]?.finishReason).toBe('STOP');
    expect(r.usageMetadata).toMatchObject({
      promptTokenCount: 5,
      candidatesTokenCount: 4,
      totalTokenCount: 9,
    });
    expect(r.modelVersion).toBe('gpt-4o-mini');
    const rec = llm.requests[0];
    expect(rec?.provider).toBe('openai');
    expect(rec?.path).toBe('/v1/chat/completions');
    expect(rec?.headers.authorization).toBe('Bearer upstream-key');
    expect(rec?.headers['x-goog-api-key']).toBeUndefined();
    expect(rec?.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'say hello' },
      ],
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 50,
      seed: 7,
      stop: ['END'],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'response',
          schema: { type: 'object', properties: { greeting: { type: 'string' } } },
        },
      },
    });
  });

  it('buffered text and an image to an Anthropic provider, with topK', async () => {
    const r = await client('anthropic').models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'hello, what is this?' },
            { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
          ],
        },
      ],
      config: { systemInstruction: 'be brief', topK: 40, maxOutputTokens: 64 },
    });
    expect(r.text).toBe('Hello there, friend!');
    expect(r.modelVersion).toBe('claude-test');
    const rec = llm.requests[0];
    expect(rec?.provider).toBe('anthropic');
    expect(rec?.model).toBe('claude-test');
    expect(rec?.body).toMatchObject({
      system: 'be brief',
      top_k: 40,
      max_tokens: 64,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hello, what is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          ],
        },
      ],
    });
  });

  it('streamed text over SSE from an Anthropic provider: one response per delta, usage at the end', async () => {
    const s = await client('anthropic').models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'hello there',
    });
    const texts: string[] = [];
    let finish: string | undefined;
    let usage: unknown;
    for await (const c of s) {
      if (c.text) texts.push(c.text);
      finish = c.candidates?.[0]?.finishReason ?? finish;
      usage = c.usageMetadata ?? usage;
    }
    expect(texts.join('')).toBe('Hello there, friend!');
    expect(texts.length).toBeGreaterThan(1);
    expect(finish).toBe('STOP');
    expect(usage).toMatchObject({ promptTokenCount: 5, candidatesTokenCount: 4, totalTokenCount: 9 });
    expect(llm.requests[0]).toMatchObject({ provider: 'anthropic', stream: true });
    const metrics = await gw.registry.metrics();
    expect(metrics).toMatch(
      /agentgateway_gen_ai_client_token_usage_sum\{gen_ai_operation_name="chat",gen_ai_system="anthropic",gen_ai_request_model="gemini-2.5-flash"[^}]*gen_ai_token_type="output"\} [1-9]/,
    );
  });

  it('a streamed function call arrives whole, and its result goes back with the call id', async () => {
    const ai = client('openai');
    const s = await ai.models.generateContentStream({
      model: 'gpt-4o-mini',
      contents: 'what is the weather in Paris?',
      config: {
        tools: [{ functionDeclarations: [weatherDeclaration] }],
        toolConfig: {
          functionCallingConfig: {
            mode: FunctionCallingConfigMode.ANY,
            allowedFunctionNames: ['get_weather'],
          },
        },
      },
    });
    let text = '';
    const calls: unknown[] = [];
    let finish: string | undefined;
    for await (const c of s) {
      for (const p of c.candidates?.[0]?.content?.parts ?? []) {
        if (p.text) text += p.text;
        if (p.functionCall) calls.push(p.functionCall);
      }
      finish = c.candidates?.[0]?.finishReason ?? finish;
    }
    expect(text).toBe('Checking.');
    expect(calls).toEqual([{ id: 'call_1', name: 'get_weather', args: { city: 'Paris' } }]);
    expect(finish).toBe('STOP');
    expect(llm.requests[0]?.body).toMatchObject({
      stream: true,
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Current weather of a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });

    // The next turn: the model's call and the function's response, matched by id.
    const r = await ai.models.generateContent({
      model: 'gpt-4o-mini',
      contents: [
        { role: 'user', parts: [{ text: 'what is the weather in Paris?' }] },
        { role: 'model', parts: [{ text: 'Checking.' }, { functionCall: calls[0] as object }] },
        {
          role: 'user',
          parts: [{ functionResponse: { id: 'call_1', name: 'get_weather', response: { temp: 21 } } }],
        },
      ],
      config: { tools: [{ functionDeclarations: [weatherDeclaration] }] },
    });
    expect(r.text).toBe('It is 21 degrees in Paris.');
    expect(llm.requests[1]?.body).toMatchObject({
      messages: [
        { role: 'user', content: 'what is the weather in Paris?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
      ],
    });
  });

  it('a buffered function call from an Anthropic provider, with calls paired by name when ids are absent', async () => {
    const r = await client('anthropic').models.generateContent({
      model: 'm',
      contents: [
        { role: 'user', parts: [{ text: 'weather?' }] },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Oslo' } } }] },
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'get_weather', response: { content: 'cold' } } }],
        },
        { role: 'user', parts: [{ text: 'and the weather in Paris?' }] },
      ],
      config: { tools: [{ functionDeclarations: [weatherDeclaration] }] },
    });
    expect(r.functionCalls).toEqual([{ id: 'call_1', name: 'get_weather', args: { city: 'Paris' } }]);
    expect(r.text).toBe('Checking.');
    expect(r.candidates?.[0]?.finishReason).toBe('STOP');
    const messages = (llm.requests[0]?.body as { messages: { role: string; content: unknown }[] }).messages;
    const use = (messages[1]?.content as { type: string; id?: string }[]).find((b) => b.type === 'tool_use');
    const result = (messages[2]?.content as { type: string; tool_use_id?: string; content?: string }[])[0];
    expect(use?.id).toMatch(/^call_/);
    expect(result).toMatchObject({ type: 'tool_result', tool_use_id: use?.id, content: 'cold' });
  });

  it("provider errors reach the client in Google's shape with the upstream status", async () => {
    const e = await client('anthropic')
      .models.generateContent({ model: 'm', contents: 'overload now' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(429);
    expect(JSON.parse((e as ApiError).message)).toEqual({
      error: { code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED' },
    });
    const streamed = await client('openai')
      .models.generateContentStream({ model: 'm', contents: 'overload now' })
      .catch((x: unknown) => x);
    expect((streamed as ApiError).status).toBe(429);
  });

  it("bad requests get a 400 in Google's shape", async () => {
    const path = `${gw.url}/openai/v1beta/models/gpt-4o-mini:generateContent`;
    const malformed = await post(path, '{"contents": [');
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.text)).toEqual({
      error: { code: 400, message: 'request body is not a valid JSON object', status: 'INVALID_ARGUMENT' },
    });
    const noContents = await post(path, '{"generationConfig": {}}');
    expect(noContents.status).toBe(400);
    expect(googleError(noContents.text)).toMatchObject({ status: 'INVALID_ARGUMENT' });
    const badModel = await post(
      `${gw.url}/openai/v1beta/models/gpt%E0%A4%A:generateContent`,
      '{"contents":[]}',
    );
    expect(badModel.status).toBe(400);
    expect(googleError(badModel.text).message).toContain('URL encoding');
    // What only Gemini can do is refused for other providers, said plainly.
    const candidates = await post(
      path,
      JSON.stringify({ contents: [{ parts: [{ text: 'hello' }] }], generationConfig: { candidateCount: 2 } }),
    );
    expect(candidates.status).toBe(400);
    expect(googleError(candidates.text).message).toContain('candidateCount');
    const search = await post(
      path,
      JSON.stringify({ contents: [{ parts: [{ text: 'hello' }] }], tools: [{ googleSearch: {} }] }),
    );
    expect(search.status).toBe(400);
    expect(googleError(search.text).message).toContain('googleSearch');
    expect(llm.requests).toHaveLength(0);
  });

  it('without alt=sse a stream is one JSON array of responses', async () => {
    const r = await request(`${gw.url}/openai/v1beta/models/gpt-4o-mini:streamGenerateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hello' }] }] }),
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    const events = (await r.body.json()) as {
      candidates: { content: { parts: { text?: string }[] }; finishReason?: string }[];
      usageMetadata?: unknown;
    }[];
    expect(events.length).toBeGreaterThan(2);
    expect(events.map((e) => e.candidates[0]?.content.parts.map((p) => p.text ?? '').join('')).join('')).toBe(
      'Hello there, friend!',
    );
    expect(events.at(-1)).toMatchObject({
      candidates: [{ finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 4 },
    });
    expect(llm.requests[0]).toMatchObject({ provider: 'openai', stream: true });
  });

  it('Gemini provider: the body is forwarded as received, with the provider key', async () => {
    const r = await client('gemini').models.generateContent({
      model: 'gemini-2.0-pro',
      contents: 'weather in Paris?',
      config: {
        thinkingConfig: { thinkingBudget: 128 },
        safetySettings: [
          { category: 'HARM_CATEGORY_HARASSMENT' as never, threshold: 'BLOCK_ONLY_HIGH' as never },
        ],
      },
    });
    expect(r.text).toBe('Let me check the weather.');
    expect(r.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }]);
    expect(r.usageMetadata).toMatchObject({ promptTokenCount: 21, totalTokenCount: 32 });
    const req = seen[0];
    expect(req?.path).toBe('/v1beta/models/gemini-2.0-pro:generateContent');
    expect(req?.headers['x-goog-api-key']).toBe('g-key');
    const sent = JSON.parse(req?.raw ?? '{}') as Record<string, unknown>;
    expect(sent).toMatchObject({
      contents: [{ role: 'user', parts: [{ text: 'weather in Paris?' }] }],
      generationConfig: { thinkingConfig: { thinkingBudget: 128 } },
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_ONLY_HIGH' }],
    });
    expect(sent.model).toBeUndefined();
    expect(await gw.registry.metrics()).toMatch(
      /agentgateway_gen_ai_client_token_usage_sum\{gen_ai_operation_name="chat",gen_ai_system="gcp.gemini",gen_ai_request_model="gemini-2.0-pro",gen_ai_response_model="gemini-2.5-flash",gen_ai_token_type="input"\} 21/,
    );
  });

  it('Gemini provider: streams are piped, as SSE or as a JSON array', async () => {
    const s = await client('gemini').models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'hi',
    });
    let text = '';
    const calls: unknown[] = [];
    for await (const c of s) {
      text += c.text ?? '';
      calls.push(...(c.functionCalls ?? []));
    }
    expect(text).toBe('Hello from Gemini');
    expect(calls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }]);
    expect(seen[0]?.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');

    const array = await post(
      `${gw.url}/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent`,
      JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    );
    const recorded = fixture('gemini-stream.sse')
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)) as unknown);
    expect(JSON.parse(array.text)).toEqual(recorded);
    expect(await gw.registry.metrics()).toMatch(
      /agentgateway_gen_ai_client_token_usage_sum\{[^}]*gen_ai_system="gcp.gemini"[^}]*gen_ai_token_type="output"\} [1-9]/,
    );
  });

  it('countTokens: native on a Gemini provider, an estimate elsewhere', async () => {
    const native = await client('gemini').models.countTokens({
      model: 'gemini-2.5-flash',
      contents: 'hello',
    });
    expect(native.totalTokens).toBe(12);
    expect(seen[0]?.path).toBe('/v1beta/models/gemini-2.5-flash:countTokens');
    const estimated = await client('openai').models.countTokens({
      model: 'gpt-4o-mini',
      contents: 'how many tokens are in this sentence?',
    });
    expect(estimated.totalTokens).toBeGreaterThan(5);
    expect(estimated.totalTokens).toBeLessThan(30);
    expect(llm.requests).toHaveLength(0);
  });

  it('aliases, prompts and guards apply to Gemini requests and responses', async () => {
    const ai = client('guarded');
    const r = await ai.models.generateContent({ model: 'fast', contents: 'hello, I am bob@example.com' });
    expect(r.text).toBe('Hello there, <MASKED>!');
    expect(llm.requests[0]?.body).toMatchObject({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'hello, I am <EMAIL_ADDRESS>' },
      ],
    });
    const s = await ai.models.generateContentStream({ model: 'fast', contents: 'hello again' });
    let text = '';
    for await (const c of s) text += c.text ?? '';
    expect(text).toBe('Hello there, <MASKED>!');

    // A masked request to a Gemini provider is forwarded in Gemini's form, unknown fields kept.
    await client('ggemini').models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'mail bob@example.com',
      config: { thinkingConfig: { thinkingBudget: 64 } },
    });
    expect(JSON.parse(seen[0]?.raw ?? '{}')).toMatchObject({
      contents: [{ parts: [{ text: 'mail <EMAIL_ADDRESS>' }] }],
      generationConfig: { thinkingConfig: { thinkingBudget: 64 } },
    });
  });

  it('ai.routes can name the generateContent route type for any path', async () => {
    // No model in this path: the provider's own model serves it.
    const r = await post(
      `${gw.url}/routed/chat`,
      JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hello' }] }] }),
    );
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({
      candidates: [
        { content: { role: 'model', parts: [{ text: 'Hello there, friend!' }] }, finishReason: 'STOP' },
      ],
    });
    expect(llm.requests[0]).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });
  });
});

describe('Gemini clients on the llm: shorthand', () => {
  let llm: MockLlm;
  let gw: TestGateway;
  beforeAll(async () => {
    llm = await startMockLlm({ rules: [{ response: { content: 'routed' } }] });
    const host = `127.0.0.1:${llm.port}`;
    gw = await startTestGateway(`
llm:
  port: 0
  models:
  - name: smart
    provider: anthropic
    params: {model: claude-test, apiKey: sk-a, hostOverride: "${host}"}
  - name: "oa-*"
    provider: openAI
    params: {apiKey: sk-o, hostOverride: "${host}"}
    transformation:
      model: llmRequest.model.stripPrefix("oa-")
`);
  });
  afterAll(async () => {
    await gw?.close();
    await llm?.close();
  });

  it('the model in the path goes through llm.models matching and transformations', async () => {
    const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: gw.url, apiVersion: 'v1' } });
    expect((await ai.models.generateContent({ model: 'smart', contents: 'hi' })).text).toBe('routed');
    expect(llm.requests[0]).toMatchObject({ provider: 'anthropic', model: 'claude-test' });
    expect(llm.requests[0]?.path).toBe('/v1/messages');
    expect((await ai.models.generateContent({ model: 'oa-gpt-4o-mini', contents: 'hi' })).text).toBe(
      'routed',
    );
    expect(llm.requests[1]).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });
    const e = await ai.models.generateContent({ model: 'unknown', contents: 'hi' }).catch((x: unknown) => x);
    expect((e as ApiError).status).toBe(404);
    expect(JSON.parse((e as ApiError).message)).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });
});
