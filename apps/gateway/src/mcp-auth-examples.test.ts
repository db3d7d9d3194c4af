// The mcp-authorization and mcp-authentication examples, run as their comments describe, with a
// JWKS of our own and tokens signed here.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@agentplane/testing/free-port';
import { mcpServerCommand, startHttpMcpServer, type HttpMcpServer } from '@agentplane/testing/mcp-servers';
import { createLogger } from '@agentplane/telemetry/logger';
import { createMetricsRegistry } from '@agentplane/telemetry/metrics-registry';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppConfig, type AppConfig } from './config.js';
import { startGateway, type RunningGateway } from './gateway.js';

const examples = fileURLToPath(
  new URL('../../../../shared/reference/agentgateway-examples/', import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), 'gw-auth-'));
const silent = createLogger({ name: 'gateway', level: 'silent' });

async function start(yaml: string, name: string): Promise<RunningGateway> {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  const app = parseAppConfig(['-f', file], {
    ADMIN_ADDR: '127.0.0.1:0',
    STATS_ADDR: '127.0.0.1:0',
    READINESS_ADDR: '127.0.0.1:0',
    LISTEN_HOST: '127.0.0.1',
  }) as AppConfig;
  return startGateway({ app, logger: silent, registry: createMetricsRegistry(), watch: false });
}

async function connect(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'auth-test', version: '1' });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

async function signer(issuer: string, audience: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256' };
  const sign = (claims: Record<string, unknown>, key: CryptoKey = privateKey, aud = audience) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
      .setIssuer(issuer)
      .setAudience(aud)
      .setExpirationTime('5m')
      .sign(key);
  return { jwks: { keys: [jwk] }, sign };
}

describe('mcp-authorization example', () => {
  let upstream: HttpMcpServer;
  let gw: RunningGateway;
  let url = '';
  let sign: Awaited<ReturnType<typeof signer>>['sign'];

  beforeAll(async () => {
    upstream = await startHttpMcpServer({ transport: 'streamableHttp' });
    const s = await signer('agentgateway.dev', 'test.agentgateway.dev');
    sign = s.sign;
    const jwksFile = join(dir, 'pub-key');
    writeFileSync(jwksFile, JSON.stringify(s.jwks));
    const port = await freePort();
    const yaml = readFileSync(join(examples, 'mcp-authorization.yaml'), 'utf8')
      .replace('port: 3000', `port: ${port}`)
      .replace('file: ./manifests/jwt/pub-key', `file: ${JSON.stringify(jwksFile)}`)
      .replace('http://localhost:3001/mcp', upstream.url);
    gw = await start(yaml, 'authorization.yaml');
    url = `http://127.0.0.1:${port}/mcp`;
  });
  afterAll(async () => {
    await gw?.close(500);
    await upstream?.dispose();
  });

  it('filters tools/list by the rules and denies calls exactly like unknown tools', async () => {
    const anon = await connect(url);
    const names = (await anon.listTools()).tools.map((t) => t.name);
    expect(names).toContain('echo');
    expect(names).not.toContain('get-sum');
    expect(names).not.toContain('get-env');
    const echo = await anon.callTool({ name: 'echo', arguments: { message: 'hi' } });
    expect(JSON.stringify(echo.content)).toContain('hi');
    const denied = await anon
      .callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } })
      .catch((e: unknown) => e);
    const unknown = await anon.callTool({ name: 'no-such-tool', arguments: {} }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(Error);
    const d = denied as { code: number; message: string };
    const u = unknown as { code: number; message: string };
    expect(d.code).toBe(u.code);
    expect(d.message.replace('get-sum', 'X')).toBe(u.message.replace('no-such-tool', 'X'));
    await anon.close();
  });

  it('grants get-sum to test-user and get-env to tokens with nested.key == "value"; rejects bad tokens', async () => {
    const user = await connect(url, await sign({ sub: 'test-user' }));
    const userTools = (await user.listTools()).tools.map((t) => t.name);
    expect(userTools).toEqual(expect.arrayContaining(['echo', 'get-sum']));
    expect(userTools).not.toContain('get-env');
    const sum = await user.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
    expect(JSON.stringify(sum.content)).toContain('5');
    await user.close();

    const nested = await connect(url, await sign({ sub: 'other', nested: { key: 'value' } }));
    const nestedTools = (await nested.listTools()).tools.map((t) => t.name);
    expect(nestedTools).toEqual(expect.arrayContaining(['echo', 'get-env']));
    expect(nestedTools).not.toContain('get-sum');
    await nested.close();

    const { privateKey: stranger } = await generateKeyPair('ES256');
    const forged = await sign({ sub: 'test-user' }, stranger);
    const res = await request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${forged}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.statusCode).toBe(401);
    await res.body.dump();
  });
});

describe('mcp-authentication example (scenario A: stdio server, spec-compliant authorization server)', () => {
  let gw: RunningGateway;
  let issuerServer: Server;
  let issuer = '';
  let port = 0;
  let sign: Awaited<ReturnType<typeof signer>>['sign'];

  beforeAll(async () => {
    let jwks: unknown = { keys: [] };
    issuerServer = createServer((req, res) => {
      const body =
        req.url === '/.well-known/jwks.json'
          ? jwks
          : req.url === '/.well-known/oauth-authorization-server'
            ? { issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token` }
            : undefined;
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => issuerServer.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
    port = await freePort();
    const s = await signer(issuer, `http://localhost:${port}/stdio/mcp`);
    jwks = s.jwks;
    sign = s.sign;
    const everything = mcpServerCommand({ server: 'everything', transport: 'stdio' });
    const yaml = readFileSync(join(examples, 'mcp-authentication.yaml'), 'utf8')
      .replaceAll('http://localhost:9000', issuer)
      .replaceAll('localhost:3000', `localhost:${port}`)
      .replace('port: 3000', `port: ${port}`)
      .replaceAll('cmd: npx', `cmd: ${JSON.stringify(everything.command)}`)
      .replace(
        /^(\s*)- '@modelcontextprotocol\/server-everything'$/gm,
        (_m, indent: string) => `${indent}- ${JSON.stringify(everything.args[0])}\n${indent}- stdio`,
      );
    gw = await start(yaml, 'authentication.yaml');
  });
  afterAll(async () => {
    await gw?.close(500);
    await new Promise<void>((r) => issuerServer?.close(() => r()));
  });

  it('serves RFC 9728 metadata and relays the authorization server metadata', async () => {
    const meta = await request(`http://127.0.0.1:${port}/.well-known/oauth-protected-resource/stdio/mcp`);
    expect(meta.statusCode).toBe(200);
    expect(await meta.body.json()).toMatchObject({
      resource: `http://localhost:${port}/stdio/mcp`,
      authorization_servers: [issuer],
      scopes_supported: ['read:all'],
      bearer_methods_supported: ['header', 'body', 'query'],
      resource_documentation: `http://localhost:${port}/stdio/docs`,
    });
    const as = await request(`http://127.0.0.1:${port}/.well-known/oauth-authorization-server/stdio/mcp`);
    expect(await as.body.json()).toMatchObject({ issuer, token_endpoint: `${issuer}/token` });
  });

  it('answers 401 with a resource_metadata challenge without a valid token, and serves MCP with one', async () => {
    const none = await request(`http://127.0.0.1:${port}/stdio/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe(
      `Bearer resource_metadata="http://127.0.0.1:${port}/.well-known/oauth-protected-resource/stdio/mcp"`,
    );
    await none.body.dump();
    const wrongAud = await request(`http://127.0.0.1:${port}/stdio/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await sign({ sub: 'u' }, undefined, 'someone-else')}` },
      body: '{}',
    });
    expect(wrongAud.statusCode).toBe(401);
    expect(String(wrongAud.headers['www-authenticate'])).toContain('error="invalid_token"');
    await wrongAud.body.dump();

    const client = await connect(`http://127.0.0.1:${port}/stdio/mcp`, await sign({ sub: 'u' }));
    const r = await client.callTool({ name: 'echo', arguments: { message: 'authed' } });
    expect(JSON.stringify(r.content)).toContain('authed');
    await client.close();
  });
});
