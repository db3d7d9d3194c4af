// Webhook and moderation guards on responses, buffered and streamed, through the gateway with the
// official clients. The webhook is an in-test server speaking agentgateway's guardrail webhook
// API; the moderation endpoint is an in-test server speaking OpenAI's /v1/moderations shape.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import { freePort } from '@agentplane/testing/free-port';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../test-gateway.js';
import type { JsonObject } from '../wire.js';

const LONG = Array.from({ length: 60 }, (_, i) => `word${i} and Alice said something.`).join(' ');

async function listen(handler: (req: IncomingMessage, body: string) => unknown): Promise<Server> {
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(handler(req, body)));
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return s;
}
const portOf = (s: Server) => (s.address() as { port: number }).port;

const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
  const r = await request(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: r.statusCode, headers: r.headers, text: await r.body.text() };
};

/** The text of an OpenAI SSE body, and its error event if any. */
function openAiStream(raw: string): { text: string; error?: { message: string; code: string | null } } {
  let text = '';
  let error: { message: string; code: string | null } | undefined;
  for (const line of raw.split('\n')) {
    if (!line.startsWith('data: {')) continue;
    const d = JSON.parse(line.slice(6)) as {
      error?: { message: string; code: string | null };
      choices?: { delta: { content?: string } }[];
    };
    if (d.error) error = d.error;
    text += d.choices?.[0]?.delta.content ?? '';
  }
  return error ? { text, error } : { text };
}

describe('response guards: webhook and moderation, buffered and streamed', () => {
  let llm: MockLlm;
  let webhook: Server;
  let moderation: Server;
  let gw: TestGateway;
  const windows: string[] = [];
  const moderated: string[][] = [];

  beforeAll(async () => {
    llm = await startMockLlm({
      rules: [
        {
          name: 'pii',
          match: { contains: 'tell me' },
          response: { chunkSize: 3, content: 'Sure: call Alice at home, she is nice. Bye.' },
        },
        {
          name: 'bad',
          match: { contains: 'secret' },
          response: { chunkSize: 4, content: 'The code word is BANANA and more text follows' },
        },
        { name: 'long', match: { contains: 'long' }, response: { chunkSize: 7, content: LONG } },
        { name: 'any', response: { content: 'all fine here' } },
      ],
    });
    // agentgateway's guardrail webhook API (response phase): mask names, reject bananas.
    webhook = await listen((req, raw) => {
      const { choices } = (
        JSON.parse(raw) as { body: { choices: { message: { role: string; content: string } }[] } }
      ).body;
      if (req.url !== '/response')
        return { action: { body: `unexpected path ${req.url}`, status_code: 500 } };
      windows.push(...choices.map((c) => c.message.content));
      if (choices.some((c) => c.message.content.includes('BANANA')))
        return { action: { body: 'no bananas', status_code: 451, reason: 'fruit' } };
      if (choices.some((c) => c.message.content.includes('Alice')))
        return {
          action: {
            body: {
              choices: choices.map((c) => ({
                message: { ...c.message, content: c.message.content.replaceAll('Alice', '<NAME>') },
              })),
            },
            reason: 'names',
          },
        };
      return { action: { reason: 'fine' } };
    });
    moderation = await listen((req, raw) => {
      const { input, model } = JSON.parse(raw) as { input: string[]; model: string };
      moderated.push(input);
      return {
        id: 'modr-1',
        model,
        results: input.map((t) => ({ flagged: t.includes('BANANA'), categories: {}, category_scores: {} })),
      };
    });
    const m = `127.0.0.1:${llm.port}`;
    const closed = await freePort();
    gw = await startTestGateway(
      `
binds:
- port: 0
  listeners:
  - routes:
    - name: webhook
      matches: [{path: {pathPrefix: /webhook}}]
      policies:
        ai:
          promptGuard:
            response:
            - webhook: {target: {host: "127.0.0.1:${portOf(webhook)}"}}
      backends:
      - ai: {name: w, hostOverride: "${m}", provider: {openAI: {}}}
    - name: claude
      matches: [{path: {pathPrefix: /claude}}]
      policies:
        ai:
          promptGuard:
            response:
            - webhook: {target: {host: "127.0.0.1:${portOf(webhook)}"}}
      backends:
      - ai: {name: c, hostOverride: "${m}", provider: {anthropic: {}}}
    - name: closed
      matches: [{path: {pathPrefix: /closed}}]
      policies:
        ai:
          promptGuard:
            response:
            - webhook: {target: {host: "127.0.0.1:${closed}"}}
              rejection: {status: 503, body: "guard unavailable"}
      backends:
      - ai: {name: x, hostOverride: "${m}", provider: {openAI: {}}}
    - name: open
      matches: [{path: {pathPrefix: /open}}]
      policies:
        ai:
          promptGuard:
            response:
            - webhook: {target: {host: "127.0.0.1:${closed}"}, failureMode: failOpen}
      backends:
      - ai: {name: o, hostOverride: "${m}", provider: {openAI: {}}}
    - name: moderated
      matches: [{path: {pathPrefix: /moderated}}]
      policies:
        ai:
          promptGuard:
            response:
            - regex: {action: mask, rules: [{builtin: email}]}
            - openAIModeration: {model: omni-moderation-latest}
              rejection: {status: 422, body: "flagged by moderation"}
      backends:
      - ai: {name: mo, hostOverride: "${m}", provider: {openAI: {}}}
`,
      {
        handler: {
          moderation: { baseUrl: `http://127.0.0.1:${portOf(moderation)}/v1` },
          guardWindowChars: 200,
        },
      },
    );
  });
  afterAll(async () => {
    await gw?.close();
    await llm?.close();
    for (const s of [webhook, moderation]) {
      s?.closeAllConnections();
      if (s) await new Promise((r) => s.close(r));
    }
  });
  beforeEach(() => {
    windows.length = 0;
    moderated.length = 0;
  });

  const chat = (base: string, content: string, stream = false) =>
    post(`${gw.url}${base}/v1/chat/completions`, {
      model: 'gpt-4o-mini',
      ...(stream ? { stream: true } : {}),
      messages: [{ role: 'user', content }],
    });
  const guardMetric = async (action: string) => {
    const m = (await gw.registry.getMetricsAsJSON()).find(
      (x) => x.name === 'agentgateway_guardrail_checks_total',
    );
    return m?.values.find((v) => v.labels.phase === 'response' && v.labels.action === action)?.value ?? 0;
  };

  it('webhook mask, buffered (OpenAI client): the webhook sees the answer, the client gets it masked', async () => {
    const c = new OpenAI({ baseURL: `${gw.url}/webhook/v1`, apiKey: 'x', maxRetries: 0 });
    const r = await c.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'tell me' }],
    });
    expect(r.choices[0]?.message.content).toBe('Sure: call <NAME> at home, she is nice. Bye.');
    expect(windows).toEqual(['Sure: call Alice at home, she is nice. Bye.']);
  });

  it('webhook mask, streamed: masked text never reaches the client, the stream ends normally', async () => {
    const masks = await guardMetric('mask');
    const r = await chat('/webhook', 'tell me', true);
    expect(r.status).toBe(200);
    expect(r.text).not.toContain('Alice');
    expect(openAiStream(r.text)).toEqual({ text: 'Sure: call <NAME> at home, she is nice. Bye.' });
    expect(r.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    // The usage the gateway asked for upstream is not forwarded to a client that did not ask.
    expect(r.text).not.toContain('"usage"');
    expect(await guardMetric('mask')).toBe(masks + 1);

    // And through the OpenAI SDK.
    const c = new OpenAI({ baseURL: `${gw.url}/webhook/v1`, apiKey: 'x', maxRetries: 0 });
    let text = '';
    for await (const ch of await c.chat.completions.create({
      model: 'm',
      stream: true,
      messages: [{ role: 'user', content: 'tell me' }],
    }))
      text += ch.choices[0]?.delta.content ?? '';
    expect(text).toBe('Sure: call <NAME> at home, she is nice. Bye.');
  });

  it('webhook reject: buffered gets its status and body; a stream ends with an error event, nothing rejected leaks', async () => {
    const b = await chat('/webhook', 'secret');
    expect(b.status).toBe(451);
    expect(b.text).toBe('no bananas');

    const rejects = await guardMetric('reject');
    const s = await chat('/webhook', 'secret', true);
    expect(s.status).toBe(200);
    expect(s.text).not.toContain('BANANA');
    const parsed = openAiStream(s.text);
    expect(parsed.error).toEqual(
      expect.objectContaining({ message: 'no bananas', code: 'content_policy_violation' }),
    );
    expect(s.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(await guardMetric('reject')).toBe(rejects + 1);

    const c = new OpenAI({ baseURL: `${gw.url}/webhook/v1`, apiKey: 'x', maxRetries: 0 });
    let text = '';
    const err = await (async () => {
      for await (const ch of await c.chat.completions.create({
        model: 'm',
        stream: true,
        messages: [{ role: 'user', content: 'secret' }],
      }))
        text += ch.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as Error).message).toContain('no bananas');
    expect(text).not.toContain('BANANA');
  });

  it('Anthropic client, streamed from an Anthropic provider: mask, and reject as an Anthropic error event', async () => {
    const c = new Anthropic({ baseURL: `${gw.url}/claude`, apiKey: 'x', maxRetries: 0 });
    const ok = await c.messages
      .stream({ model: 'claude-x', max_tokens: 50, messages: [{ role: 'user', content: 'tell me' }] })
      .finalMessage();
    expect(ok.content).toEqual([
      expect.objectContaining({ type: 'text', text: 'Sure: call <NAME> at home, she is nice. Bye.' }),
    ]);

    const raw = await post(
      `${gw.url}/claude/v1/messages`,
      { model: 'claude-x', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'secret' }] },
      { 'anthropic-version': '2023-06-01' },
    );
    expect(raw.text).not.toContain('BANANA');
    const events = raw.text.split('\n\n').filter(Boolean);
    const last = events.at(-1) ?? '';
    expect(last.split('\n')[0]).toBe('event: error');
    const error = JSON.parse(last.split('\n')[1]?.slice(6) ?? '') as { type: string; error: JsonObject };
    expect(error.type).toBe('error');
    expect(error.error).toEqual({ type: 'invalid_request_error', message: 'no bananas' });

    const err = await c.messages
      .stream({ model: 'claude-x', max_tokens: 50, messages: [{ role: 'user', content: 'secret' }] })
      .finalMessage()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toContain('no bananas');
  });

  it('a webhook that is down: failClosed rejects with the configured rejection, failOpen lets the answer through', async () => {
    const b = await chat('/closed', 'tell me');
    expect(b.status).toBe(503);
    expect(b.text).toBe('guard unavailable');
    const s = await chat('/closed', 'tell me', true);
    expect(s.text).not.toContain('Alice');
    expect(openAiStream(s.text).error?.message).toBe('guard unavailable');

    const ob = await chat('/open', 'tell me');
    expect(ob.status).toBe(200);
    expect(JSON.parse(ob.text)).toMatchObject({
      choices: [{ message: { content: 'Sure: call Alice at home, she is nice. Bye.' } }],
    });
    const os = await chat('/open', 'tell me', true);
    expect(openAiStream(os.text)).toEqual({ text: 'Sure: call Alice at home, she is nice. Bye.' });
  });

  it('streamed text is judged in windows cut between words, each released once judged', async () => {
    const s = await chat('/webhook', 'long', true);
    const { text, error } = openAiStream(s.text);
    expect(error).toBeUndefined();
    expect(text).toBe(LONG.replaceAll('Alice', '<NAME>'));
    expect(windows.join('')).toBe(LONG);
    expect(windows.length).toBeGreaterThan(5);
    for (const w of windows.slice(0, -1)) {
      // At least half a window, at most a window plus the rest of a word; never a split word.
      expect(w.length).toBeGreaterThanOrEqual(100);
      expect(w.length).toBeLessThan(200 + 10);
      expect(w.endsWith(' ')).toBe(true);
    }
  });

  it('moderation on responses: flagged answers are rejected buffered and streamed; clean ones pass', async () => {
    const b = await chat('/moderated', 'secret');
    expect(b.status).toBe(422);
    expect(b.text).toBe('flagged by moderation');
    expect(moderated[0]).toEqual(['The code word is BANANA and more text follows']);

    const s = await chat('/moderated', 'secret', true);
    expect(s.status).toBe(200);
    expect(s.text).not.toContain('BANANA');
    expect(openAiStream(s.text).error?.message).toBe('flagged by moderation');

    const ok = await chat('/moderated', 'hello', true);
    expect(openAiStream(ok.text)).toEqual({ text: 'all fine here' });
    expect(moderated.at(-1)).toEqual(['all fine here']);
  });
});
