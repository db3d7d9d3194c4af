// Native OpenAI Responses streams (an OpenAI client of the Responses API, an OpenAI provider)
// under response guards: every upstream event reaches the client in order; only the output text is
// guarded, and its copies in later events are the text the client was sent. The provider is an
// in-test server replaying a real-format Responses stream (reasoning item, content parts,
// metadata); the webhook speaks agentgateway's guardrail webhook API.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../test-gateway.js';
import type { JsonObject } from '../wire.js';

const FIXTURE = readFileSync(new URL('../testdata/openai-responses-stream.sse', import.meta.url), 'utf8');
const TEXT = 'Sure: write to Alice at alice@example.com, she answers within a day.';

interface Event {
  readonly event: string;
  readonly data: JsonObject;
}

function events(raw: string): Event[] {
  return raw
    .split('\n\n')
    .filter((b) => b.trim() !== '')
    .map((b) => {
      const lines = b.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? '';
      const data = lines.find((l) => l.startsWith('data: '))?.slice(6) ?? '{}';
      return { event, data: JSON.parse(data) as JsonObject };
    });
}

const UPSTREAM = events(FIXTURE);
const isDelta = (e: Event) => e.event === 'response.output_text.delta';
const withoutSeq = ({ sequence_number: _s, ...rest }: JsonObject) => rest;

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

/**
 * Checks a guarded stream against the upstream's: the same events in the same order apart from
 * the text deltas, sequence numbers counting up from 0, and `text` wherever the output text is.
 */
function expectSameEventsWithText(got: Event[], text: string): void {
  expect(got.map((e, i) => e.data.sequence_number === i)).not.toContain(false);
  expect(got.filter((e) => !isDelta(e)).map((e) => e.event)).toEqual(
    UPSTREAM.filter((e) => !isDelta(e)).map((e) => e.event),
  );
  const deltas = got.filter(isDelta);
  expect(deltas.map((e) => e.data.delta).join('')).toBe(text);
  for (const d of deltas)
    expect(d.data).toMatchObject({ item_id: 'msg_0a7c1e5f3b2d4c6e02', output_index: 1, content_index: 0 });
  const upstream = UPSTREAM.filter((e) => !isDelta(e));
  got
    .filter((e) => !isDelta(e))
    .forEach((e, i) => {
      const up = upstream[i] as Event;
      const part = { type: 'output_text', annotations: [], logprobs: [], text };
      const message = {
        id: 'msg_0a7c1e5f3b2d4c6e02',
        type: 'message',
        status: 'completed',
        content: [part],
        role: 'assistant',
      };
      switch (e.event) {
        case 'response.output_text.done':
          expect(withoutSeq(e.data)).toEqual({ ...withoutSeq(up.data), text });
          break;
        case 'response.content_part.done':
          expect(withoutSeq(e.data)).toEqual({ ...withoutSeq(up.data), part });
          break;
        case 'response.output_item.done':
          if (e.data.output_index === 1)
            expect(withoutSeq(e.data)).toEqual({ ...withoutSeq(up.data), item: message });
          else expect(withoutSeq(e.data)).toEqual(withoutSeq(up.data));
          break;
        case 'response.completed': {
          const r = up.data.response as JsonObject;
          const output = r.output as JsonObject[];
          // Reasoning item, usage and metadata as the provider sent them; the message as sent.
          expect(withoutSeq(e.data)).toEqual({
            ...withoutSeq(up.data),
            response: { ...r, output: [output[0], message] },
          });
          break;
        }
        default:
          expect(withoutSeq(e.data)).toEqual(withoutSeq(up.data));
      }
    });
}

describe('native Responses streams under response guards', () => {
  let upstream: Server;
  let webhook: Server;
  let gw: TestGateway;
  const windows: string[] = [];

  beforeAll(async () => {
    // The provider: replays the recorded stream, cut into small writes (events split across reads).
    upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (!req.url?.endsWith('/responses')) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const bytes = Buffer.from(FIXTURE);
        for (let i = 0; i < bytes.length; i += 97) res.write(bytes.subarray(i, i + 97));
        res.end();
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    webhook = await listen((_req, raw) => {
      const { choices } = (
        JSON.parse(raw) as { body: { choices: { message: { role: string; content: string }[] }[] } }
      ).body as unknown as { choices: { message: { role: string; content: string } }[] };
      windows.push(...choices.map((c) => c.message.content));
      return {
        action: {
          body: {
            choices: choices.map((c) => ({
              message: { ...c.message, content: c.message.content.replaceAll('Alice', '<NAME>') },
            })),
          },
        },
      };
    });
    const up = `127.0.0.1:${portOf(upstream)}`;
    const route = (name: string, guards: string) => `
    - name: ${name}
      matches: [{path: {pathPrefix: /${name}}}]
      policies:
        ai:
          promptGuard:
            response:
${guards}
      backends:
      - ai: {name: ${name}, hostOverride: "${up}", provider: {openAI: {}}}`;
    gw = await startTestGateway(`
binds:
- port: 0
  listeners:
  - routes:
    - name: plain
      matches: [{path: {pathPrefix: /plain}}]
      backends:
      - ai: {name: plain, hostOverride: "${up}", provider: {openAI: {}}}
${route('webhook', `            - webhook: {target: {host: "127.0.0.1:${portOf(webhook)}"}}`)}
${route('regex', `            - regex: {action: mask, rules: [{pattern: Alice}]}`)}
${route(
  'both',
  `            - regex: {action: mask, rules: [{builtin: email}]}
            - webhook: {target: {host: "127.0.0.1:${portOf(webhook)}"}}`,
)}
${route(
  'reject',
  `            - regex: {action: reject, rules: [{pattern: Alice}]}
              rejection: {status: 451, body: "names are not allowed"}`,
)}
`);
  });
  afterAll(async () => {
    await gw?.close();
    for (const s of [upstream, webhook]) {
      s?.closeAllConnections();
      if (s) await new Promise((r) => s.close(r));
    }
  });
  beforeEach(() => {
    windows.length = 0;
  });

  const stream = async (base: string) => {
    const r = await request(`${gw.url}/${base}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5-mini', input: 'whom do I write to?', stream: true }),
    });
    return { status: r.statusCode, text: await r.body.text() };
  };
  const guardMetric = async (action: string) => {
    const m = (await gw.registry.getMetricsAsJSON()).find(
      (x) => x.name === 'agentgateway_guardrail_checks_total',
    );
    return m?.values.find((v) => v.labels.phase === 'response' && v.labels.action === action)?.value ?? 0;
  };

  it('without guards the stream is passed on byte for byte', async () => {
    const r = await stream('plain');
    expect(r.status).toBe(200);
    expect(r.text).toBe(FIXTURE);
  });

  it('webhook mask: every event kept, the text masked in the deltas and in every copy of it', async () => {
    const masks = await guardMetric('mask');
    const r = await stream('webhook');
    expect(r.status).toBe(200);
    expect(r.text).not.toContain('Alice');
    expect(windows).toEqual([TEXT]);
    expectSameEventsWithText(events(r.text), TEXT.replace('Alice', '<NAME>'));
    expect(await guardMetric('mask')).toBe(masks + 1);
  });

  it('regex mask: text is released as soon as no match can cover it, the match never', async () => {
    const r = await stream('regex');
    expect(r.text).not.toContain('Alice');
    const got = events(r.text);
    expectSameEventsWithText(got, TEXT.replace('Alice', '<MASKED>'));
    // Not held to the end: deltas go out while the text streams, held back only near a match.
    expect(got.filter(isDelta).length).toBeGreaterThan(5);
    const first = String(got.find(isDelta)?.data.delta);
    expect(first.length).toBeLessThan(10);
    expect(TEXT.startsWith(first)).toBe(true);
  });

  it('two guards in a row, and the official SDK reading the stream and its final response', async () => {
    const masked = TEXT.replace('alice@example.com', '<EMAIL_ADDRESS>').replace('Alice', '<NAME>');
    const r = await stream('both');
    expectSameEventsWithText(events(r.text), masked);

    const c = new OpenAI({ baseURL: `${gw.url}/both/v1`, apiKey: 'x', maxRetries: 0 });
    const s = c.responses.stream({ model: 'gpt-5-mini', input: 'whom do I write to?' });
    const seen: string[] = [];
    for await (const e of s) seen.push(e.type);
    const final = await s.finalResponse();
    expect(seen).toContain('response.reasoning_summary_text.delta');
    expect(final.output_text).toBe(masked);
    expect(final.output[0]).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text' }] });
    expect(JSON.stringify(final.output[0])).toContain('Finding the contact');
    expect(final.metadata).toEqual({ ticket: 'T-1042' });
    expect(final.usage).toMatchObject({ output_tokens: 84, output_tokens_details: { reasoning_tokens: 64 } });
  });

  it('reject: the events before the text go out, then a Responses error event ends the stream', async () => {
    const rejects = await guardMetric('reject');
    const r = await stream('reject');
    expect(r.status).toBe(200);
    expect(r.text).not.toContain('Alice');
    const got = events(r.text);
    const last = got.at(-1) as Event;
    expect(last.event).toBe('error');
    expect(last.data).toEqual({
      type: 'error',
      code: 'content_policy_violation',
      message: 'names are not allowed',
      param: null,
      sequence_number: got.length - 1,
    });
    // The reasoning item and the message's start were sent; nothing after the rejected text.
    expect(got.map((e) => e.event)).toContain('response.reasoning_summary_part.done');
    expect(got.map((e) => e.event)).not.toContain('response.output_text.done');
    expect(got.map((e) => e.event)).not.toContain('response.completed');
    expect(await guardMetric('reject')).toBe(rejects + 1);

    const c = new OpenAI({ baseURL: `${gw.url}/reject/v1`, apiKey: 'x', maxRetries: 0 });
    let text = '';
    const err = await (async () => {
      const s = await c.responses.create({ model: 'gpt-5-mini', input: 'whom?', stream: true });
      for await (const e of s) if (e.type === 'response.output_text.delta') text += e.delta;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as Error).message).toContain('names are not allowed');
    expect(text).not.toContain('Alice');
  });
});
