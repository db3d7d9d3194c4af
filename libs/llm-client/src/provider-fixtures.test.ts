// Bedrock (Converse, SigV4) and Vertex AI (Gemini, Anthropic) against a local server that
// answers with recorded provider replies and checks what the client sent.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { parseAgentConfig } from '@agentplane/agent-config';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeAwsEvent } from './aws-event-stream.js';
import type { ChatModel, ChatRequest } from './chat-types.js';
import { createChatModel } from './create-chat-model.js';
import { VERTEX_ANTHROPIC_VERSION } from './anthropic-vertex-fetch.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

const AWS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-1',
};
const BEDROCK_MODEL = 'us.anthropic.test-model-20250514-v1:0';

const request: ChatRequest = {
  system: 'be brief',
  messages: [
    { role: 'user', content: 'weather in Paris?' },
    {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 't0', name: 'get_weather', arguments: { city: 'Lyon' } }],
    },
    { role: 'tool', toolCallId: 't0', toolName: 'get_weather', content: 'rain', isError: false },
    { role: 'user', content: 'and Paris?' },
  ],
  tools: [
    {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
        additionalProperties: false,
      },
    },
  ],
};

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A stand-in provider: `reply` answers each request. */
async function startFixtureServer(
  reply: (req: Received, res: ServerResponse) => void | Promise<void>,
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      received.push(r);
      void reply(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Checks a SigV4 signature the way AWS does: signs the same request again and compares. */
async function verifySigV4(r: Received): Promise<void> {
  const auth = String(r.headers['authorization']);
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  expect(m, auth).not.toBeNull();
  const [, keyId, , region, service, signedHeaders, signature] = m ?? [];
  expect(keyId).toBe(AWS.accessKeyId);
  expect(region).toBe('us-west-2');
  expect(service).toBe('bedrock');
  const names = (signedHeaders ?? '').split(';');
  expect(names).toEqual(
    expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256']),
  );
  const headers: Record<string, string> = {};
  for (const n of names) headers[n] = String(r.headers[n]);
  const amzDate = headers['x-amz-date'] ?? '';
  const date = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const url = new URL(r.path, `http://${headers['host']}`);
  const signer = new SignatureV4({
    credentials: AWS,
    region: 'us-west-2',
    service: 'bedrock',
    sha256: Sha256,
  });
  const again = await signer.sign(
    {
      method: r.method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: decodeURIComponent(url.pathname).replace(/:/g, '%3A'),
      query: {},
      headers,
      body: r.body,
    },
    { signingDate: date },
  );
  expect(String(again.headers['authorization'])).toContain(`Signature=${signature ?? ''}`);
}

describe('bedrock Converse with SigV4', () => {
  let server: Awaited<ReturnType<typeof startFixtureServer>>;
  let model: ChatModel;
  let failNext = 0;

  beforeAll(async () => {
    server = await startFixtureServer((r, res) => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"Service unavailable"}');
        return;
      }
      if (r.path.endsWith('/converse')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(fixture('bedrock-converse.json'));
        return;
      }
      const events = JSON.parse(fixture('bedrock-converse-stream.json')) as [string, unknown][];
      const bytes = Buffer.concat(events.map(([type, payload]) => encodeAwsEvent(type, payload)));
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      // Frames cut at odd places, as TCP may deliver them.
      for (let i = 0; i < bytes.length; i += 37) res.write(bytes.subarray(i, i + 37));
      res.end();
    });
    const config = parseAgentConfig({
      model: {
        type: 'bedrock',
        model: BEDROCK_MODEL,
        region: 'us-west-2',
        base_url: server.url,
        temperature: 0.1,
        max_tokens: 300,
      },
    });
    model = await createChatModel(config.model, {
      credentials: {
        awsAccessKeyId: AWS.accessKeyId,
        awsSecretAccessKey: AWS.secretAccessKey,
        awsSessionToken: AWS.sessionToken,
      },
      maxRetries: 1,
    });
  });

  afterAll(() => server.close());
  beforeEach(() => {
    server.received.length = 0;
  });

  it.each([false, true])(
    'answers with text and a tool call, signed with SigV4 (stream=%s)',
    async (stream) => {
      const deltas: string[] = [];
      const result = await model.complete(request, { stream, onTextDelta: (d) => deltas.push(d) });
      expect(result).toEqual({
        text: 'Let me check the weather.',
        toolCalls: [
          { id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'get_weather', arguments: { city: 'Paris' } },
        ],
        finishReason: 'tool_calls',
        usage: { inputTokens: 402, outputTokens: 61 },
      });
      expect(deltas.join('')).toBe(stream ? 'Let me check the weather.' : '');
      const r = server.received[0];
      expect(r?.path).toBe(
        `/model/${encodeURIComponent(BEDROCK_MODEL)}/${stream ? 'converse-stream' : 'converse'}`,
      );
      expect(r?.headers['x-amz-security-token']).toBe(AWS.sessionToken);
      await verifySigV4(r as Received);
      const body = JSON.parse(r?.body ?? '{}') as Record<string, unknown>;
      expect(body).toMatchObject({
        system: [{ text: 'be brief' }],
        inferenceConfig: { temperature: 0.1, maxTokens: 300 },
        messages: [
          { role: 'user', content: [{ text: 'weather in Paris?' }] },
          {
            role: 'assistant',
            content: [{ toolUse: { toolUseId: 't0', name: 'get_weather', input: { city: 'Lyon' } } }],
          },
          {
            role: 'user',
            content: [
              { toolResult: { toolUseId: 't0', content: [{ text: 'rain' }] } },
              { text: 'and Paris?' },
            ],
          },
        ],
        toolConfig: {
          tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }],
        },
      });
    },
  );

  it('retries a 503 with a fresh signature', async () => {
    failNext = 1;
    const result = await model.complete(request);
    expect(result.text).toBe('Let me check the weather.');
    expect(server.received).toHaveLength(2);
    await verifySigV4(server.received[1] as Received);
  });

  it('reports an exception frame in the stream as an error', async () => {
    const broken = await startFixtureServer((_r, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      res.write(encodeAwsEvent('messageStart', { role: 'assistant' }));
      res.end(
        encodeAwsEvent('throttlingException', { message: 'Too many tokens, please wait.' }, 'exception'),
      );
    });
    try {
      const config = parseAgentConfig({
        model: { type: 'bedrock', model: 'm', region: 'us-west-2', base_url: broken.url },
      });
      const m = await createChatModel(config.model, {
        credentials: { bedrockBearerToken: 'bedrock-key' },
        maxRetries: 0,
      });
      await expect(m.complete(request, { stream: true })).rejects.toMatchObject({
        code: 'LLM_HTTP_ERROR',
        status: 429,
        message: expect.stringContaining('Too many tokens') as string,
      });
      expect(broken.received[0]?.headers['authorization']).toBe('Bearer bedrock-key');
    } finally {
      await broken.close();
    }
  });

  it("sends the caller's key as a bearer token instead of signing (api_key_passthrough)", async () => {
    await model.complete(request, { apiKey: 'caller-token' });
    expect(server.received[0]?.headers['authorization']).toBe('Bearer caller-token');
    expect(server.received[0]?.headers['x-amz-date']).toBeUndefined();
  });

  it('refuses a bedrock model without credentials', async () => {
    const config = parseAgentConfig({ model: { type: 'bedrock', model: 'm' } });
    await expect(createChatModel(config.model)).rejects.toMatchObject({ code: 'LLM_UNSUPPORTED' });
  });
});

describe('Vertex AI with a Google access token', () => {
  let server: Awaited<ReturnType<typeof startFixtureServer>>;
  let tokens = 0;
  const accessToken = (): Promise<string> => Promise.resolve(`ya29.test-token-${++tokens}`);

  beforeAll(async () => {
    server = await startFixtureServer((r, res) => {
      if (r.path.startsWith('/missing/')) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"error":{"code":404,"message":"Publisher model not found."}}');
      } else if (r.path.endsWith(':generateContent')) {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(fixture('vertex-gemini-generate.json'));
      } else if (r.path.endsWith(':streamGenerateContent?alt=sse')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' }).end(fixture('vertex-gemini-stream.sse'));
      } else if (r.path.endsWith(':rawPredict')) {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(fixture('vertex-anthropic-message.json'));
      } else if (r.path.endsWith(':streamRawPredict')) {
        res
          .writeHead(200, { 'content-type': 'text/event-stream' })
          .end(fixture('vertex-anthropic-stream.sse'));
      } else res.writeHead(500).end();
    });
  });

  afterAll(() => server.close());
  beforeEach(() => {
    server.received.length = 0;
  });

  const cases = [
    [
      'gemini_vertex_ai',
      'gemini-2.5-flash',
      'google',
      'generateContent',
      'streamGenerateContent?alt=sse',
      'call_1',
    ],
    [
      'anthropic_vertex_ai',
      'anthropic-test-model@20250514',
      'anthropic',
      'rawPredict',
      'streamRawPredict',
      'toolu_vrtx_01CY8fMD7hZbqkSuXK6M7Qtm',
    ],
  ] as const;

  describe.each(cases)('%s', (type, modelName, publisher, method, streamMethod, callId) => {
    let model: ChatModel;

    beforeAll(async () => {
      const config = parseAgentConfig({
        model: {
          type,
          model: modelName,
          project: 'proj-1',
          location: 'us-east5',
          base_url: server.url,
          max_tokens: 200,
        },
      });
      model = await createChatModel(config.model, { googleAccessToken: accessToken, maxRetries: 0 });
    });

    it.each([false, true])(
      'calls the model URL with a bearer token and reads the reply (stream=%s)',
      async (stream) => {
        const deltas: string[] = [];
        const result = await model.complete(request, { stream, onTextDelta: (d) => deltas.push(d) });
        expect(result.text).toBe('Let me check the weather.');
        expect(result.toolCalls).toEqual([{ id: callId, name: 'get_weather', arguments: { city: 'Paris' } }]);
        expect(result.finishReason).toBe('tool_calls');
        if (stream) expect(deltas.join('')).toBe('Let me check the weather.');
        const r = server.received[0];
        expect(r?.path).toBe(
          `/v1/projects/proj-1/locations/us-east5/publishers/${publisher}/models/${encodeURIComponent(modelName)}:${stream ? streamMethod : method}`,
        );
        expect(r?.headers['authorization']).toMatch(/^Bearer ya29\.test-token-\d+$/);
        expect(r?.headers['x-api-key']).toBeUndefined();
        const body = JSON.parse(r?.body ?? '{}') as Record<string, unknown>;
        if (type === 'anthropic_vertex_ai') {
          expect(body['anthropic_version']).toBe(VERTEX_ANTHROPIC_VERSION);
          expect(body['model']).toBeUndefined();
          expect(body['max_tokens']).toBe(200);
        } else {
          expect(body).toMatchObject({
            systemInstruction: { parts: [{ text: 'be brief' }] },
            generationConfig: { maxOutputTokens: 200 },
            contents: [
              { role: 'user', parts: [{ text: 'weather in Paris?' }] },
              {
                role: 'model',
                parts: [{ functionCall: { name: 'get_weather', args: { city: 'Lyon' }, id: 't0' } }],
              },
              {
                role: 'user',
                parts: [
                  { functionResponse: { name: 'get_weather', id: 't0', response: { content: 'rain' } } },
                  { text: 'and Paris?' },
                ],
              },
            ],
          });
          // JSON Schema keywords Gemini rejects are left out.
          expect(JSON.stringify(body['tools'])).not.toMatch(/additionalProperties|\$schema/);
        }
      },
    );

    it("forwards the caller's token instead of its own (api_key_passthrough)", async () => {
      await model.complete(request, { apiKey: 'caller-token' });
      expect(server.received[0]?.headers['authorization']).toBe('Bearer caller-token');
    });
  });

  it('fails with the status when Vertex refuses', async () => {
    const config = parseAgentConfig({
      model: {
        type: 'gemini_vertex_ai',
        model: 'nope',
        project: 'p',
        location: 'global',
        base_url: `${server.url}/missing`,
      },
    });
    const model = await createChatModel(config.model, { googleAccessToken: accessToken, maxRetries: 0 });
    await expect(model.complete(request)).rejects.toMatchObject({
      code: 'LLM_HTTP_ERROR',
      status: 404,
      message: expect.stringContaining('Publisher model not found.') as string,
    });
  });
});
