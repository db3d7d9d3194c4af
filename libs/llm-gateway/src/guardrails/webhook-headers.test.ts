// Webhook guards' `headers` (CEL over the client's request) and `forwardHeaderMatches`, through the
// gateway: an in-test webhook speaking agentgateway's guardrail webhook API records the method,
// path and headers it is called with.
import { generateKeyPairSync, sign, type JsonWebKey } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../test-gateway.js';

interface Call {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** POST with node:http, which sends any header as given (hop-by-hop ones included). */
function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const r = httpRequest(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    r.on('error', reject);
    r.end(data);
  });
}

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** An ES256 key pair: the public JWKS (inline config) and a signer of tokens. */
function issuer() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk: JsonWebKey = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' };
  return {
    jwks: JSON.stringify({ keys: [jwk] }),
    token(claims: Record<string, unknown>): string {
      const head = b64url(JSON.stringify({ alg: 'ES256', kid: 'k1', typ: 'JWT' }));
      const now = Math.floor(Date.now() / 1000);
      const body = b64url(
        JSON.stringify({ iss: 'https://issuer.test', aud: 'gw', iat: now, exp: now + 600, ...claims }),
      );
      const sig = sign('sha256', Buffer.from(`${head}.${body}`), {
        key: privateKey,
        dsaEncoding: 'ieee-p1363',
      });
      return `${head}.${body}.${b64url(sig)}`;
    },
  };
}

const chat = (content = 'hi') => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });

describe('webhook headers (CEL) and forwardHeaderMatches', () => {
  let llm: MockLlm;
  let webhook: Server;
  let gw: TestGateway;
  let hook = '';
  let mock = '';
  const calls: Call[] = [];
  const jwt = issuer();

  beforeAll(async () => {
    llm = await startMockLlm({ rules: [{ response: { content: 'all fine here' } }] });
    webhook = createServer((req, res) => {
      calls.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ action: { reason: 'fine' } }));
      });
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
    hook = `127.0.0.1:${(webhook.address() as { port: number }).port}`;
    mock = `127.0.0.1:${llm.port}`;
    gw = await startTestGateway(`
binds:
- port: 0
  listeners:
  - routes:
    - name: headers
      matches: [{path: {pathPrefix: /headers}}]
      policies:
        ai:
          promptGuard:
            request:
            - webhook:
                target: {host: "${hook}"}
                headers:
                  x-tenant: 'request.headers["x-tenant"]'
                  x-model: 'llmRequest.model'
                  x-client-path: 'request.path'
                  authorization: '"Bearer guard-key"'
                  ":path": '"/v3/guardrails/" + request.headers["x-tenant"] + "/request"'
                  ":authority": '"guard.internal"'
                forwardHeaderMatches:
                - {name: x-trace, value: {exact: keep-me}}
                - {name: X-Team, value: {regex: "team-[a-z]+"}}
                - {name: x-hop, value: {regex: ".*"}}
                - {name: te, value: {regex: ".*"}}
                - {name: host, value: {regex: ".*"}}
            response:
            - webhook:
                target: {host: "${hook}"}
                headers:
                  ":path": '"/v3/guardrails/out"'
                  ":method": '"PUT"'
      backends:
      - ai: {name: h, hostOverride: "${mock}", provider: {openAI: {}}}
    - name: jwt
      matches: [{path: {pathPrefix: /jwt}}]
      policies:
        jwtAuth: {mode: strict, issuer: "https://issuer.test", audiences: [gw], jwks: '${jwt.jwks}'}
        ai:
          promptGuard:
            request:
            - webhook: {target: {host: "${hook}"}, headers: {x-user: 'jwt.sub', x-role: 'jwt.role'}}
      backends:
      - ai: {name: j, hostOverride: "${mock}", provider: {openAI: {}}}
    - name: closed
      matches: [{path: {pathPrefix: /closed}}]
      policies:
        ai:
          promptGuard:
            request:
            - webhook: {target: {host: "${hook}"}, headers: {x-count: 'size(llmRequest.messages)'}}
              rejection: {status: 503, body: "guard unavailable"}
      backends:
      - ai: {name: c, hostOverride: "${mock}", provider: {openAI: {}}}
    - name: open
      matches: [{path: {pathPrefix: /open}}]
      policies:
        ai:
          promptGuard:
            request:
            - webhook:
                target: {host: "${hook}"}
                headers: {x-count: 'size(llmRequest.messages)'}
                failureMode: failOpen
      backends:
      - ai: {name: o, hostOverride: "${mock}", provider: {openAI: {}}}
`);
  });
  afterAll(async () => {
    await gw?.close();
    await llm?.close();
    webhook?.closeAllConnections();
    if (webhook) await new Promise((r) => webhook.close(r));
  });
  beforeEach(() => {
    calls.length = 0;
    llm.reset();
  });

  it('computes headers from the client request and the LLM request; :path and :authority move the call', async () => {
    const r = await post(`${gw.url}/headers/v1/chat/completions`, chat(), { 'x-tenant': 'acme' });
    expect(r.status).toBe(200);
    const [req, res] = calls;
    expect(req).toMatchObject({
      method: 'POST',
      url: '/v3/guardrails/acme/request',
      headers: {
        host: 'guard.internal',
        'x-tenant': 'acme',
        'x-model': 'gpt-4o-mini',
        'x-client-path': '/headers/v1/chat/completions',
        authorization: 'Bearer guard-key',
        'content-type': 'application/json',
      },
    });
    // The response phase has its own headers: another path and method.
    expect(res).toMatchObject({ method: 'PUT', url: '/v3/guardrails/out' });
    expect(res?.headers['x-tenant']).toBeUndefined();
  });

  it('forwards client headers whose value matches exactly or fully matches the regex, never hop-by-hop ones', async () => {
    await post(`${gw.url}/headers/v1/chat/completions`, chat(), {
      'x-tenant': 'acme',
      'x-trace': 'keep-me',
      'x-team': 'team-blue',
      connection: 'keep-alive, x-hop',
      'x-hop': 'listed in connection',
      te: 'trailers',
    });
    const h = calls[0]?.headers ?? {};
    expect(h['x-trace']).toBe('keep-me');
    expect(h['x-team']).toBe('team-blue');
    expect(h['x-hop']).toBeUndefined();
    expect(h.te).toBeUndefined();
    expect(h.host).toBe('guard.internal');

    calls.length = 0;
    await post(`${gw.url}/headers/v1/chat/completions`, chat(), {
      'x-tenant': 'acme',
      'x-trace': 'keep-me-not',
      'x-team': 'my-team-blue',
    });
    expect(calls[0]?.headers['x-trace']).toBeUndefined();
    expect(calls[0]?.headers['x-team']).toBeUndefined();

    calls.length = 0;
    await post(`${gw.url}/headers/v1/chat/completions`, chat(), { 'x-tenant': 'acme', 'x-team': 'team-b2' });
    expect(calls[0]?.headers['x-team']).toBeUndefined();
  });

  it('evaluates jwt.* against the verified token of the client request', async () => {
    const r = await post(`${gw.url}/jwt/v1/chat/completions`, chat(), {
      authorization: `Bearer ${jwt.token({ sub: 'user-123', role: 'analyst' })}`,
    });
    expect(r.status).toBe(200);
    expect(calls[0]?.headers).toMatchObject({ 'x-user': 'user-123', 'x-role': 'analyst' });
    expect(calls[0]?.url).toBe('/request');
  });

  it('an expression that fails or gives no string follows failureMode; the webhook is not called', async () => {
    // A missing client header: the expression fails; failClosed answers with the default rejection.
    const missing = await post(`${gw.url}/headers/v1/chat/completions`, chat());
    expect(missing.status).toBe(403);
    expect(JSON.parse(missing.text)).toMatchObject({ error: { code: 'content_policy_violation' } });
    // `size(...)` is an int, not a header value.
    const closed = await post(`${gw.url}/closed/v1/chat/completions`, chat());
    expect(closed.status).toBe(503);
    expect(closed.text).toBe('guard unavailable');
    expect(calls).toHaveLength(0);
    expect(llm.requests).toHaveLength(0);

    const open = await post(`${gw.url}/open/v1/chat/completions`, chat());
    expect(open.status).toBe(200);
    expect(calls).toHaveLength(0);
    expect(llm.requests).toHaveLength(1);
  });

  it('a header that is not CEL, a bad pseudo-header or regex rejects the config naming the key path', async () => {
    const route = (webhookYaml: string) => `
binds:
- port: 0
  listeners:
  - routes:
    - name: r
      policies:
        ai:
          promptGuard:
            request:
            - webhook: ${webhookYaml}
      backends:
      - ai: {name: r, hostOverride: "${mock}", provider: {openAI: {}}}
`;
    // agentgateway's meaning: a literal value is a CEL string literal ('"Bearer abc"').
    await expect(
      startTestGateway(route(`{target: {host: "${hook}"}, headers: {authorization: "Bearer abc"}}`)),
    ).rejects.toThrow(
      /invalid ai policy on route .*: policies\.ai\.promptGuard\.request\[0\]\.webhook\.headers\.authorization: invalid CEL expression/,
    );
    await expect(
      startTestGateway(route(`{target: {host: "${hook}"}, headers: {":scheme": '"https"'}}`)),
    ).rejects.toThrow(/webhook\.headers\[":scheme"\]: unsupported pseudo-header/);
    await expect(
      startTestGateway(
        route(`{target: {host: "${hook}"}, forwardHeaderMatches: [{name: x-a, value: {regex: "team-("}}]}`),
      ),
    ).rejects.toThrow(/webhook\.forwardHeaderMatches\[0\]\.value\.regex: invalid regex/);
    // The `llm:` shorthand: the model's guardrails, with its key path.
    await expect(
      startTestGateway(`
llm:
  port: 0
  models:
  - name: m
    provider: openAI
    params: {hostOverride: "${mock}"}
    guardrails:
      response:
      - webhook: {target: {host: "${hook}"}, headers: {":path": /plain/path}}
`),
    ).rejects.toThrow(
      /invalid llm backend llm: llm\.models\[0\]\.guardrails\.response\[0\]\.webhook\.headers\[":path"\]: invalid CEL expression/,
    );

    // On a reload the last good config keeps serving.
    await expect(
      gw.reload(route(`{target: {host: "${hook}"}, headers: {authorization: "Bearer abc"}}`)),
    ).rejects.toThrow(/invalid CEL expression/);
    const still = await post(`${gw.url}/open/v1/chat/completions`, chat());
    expect(still.status).toBe(200);
  });
});
