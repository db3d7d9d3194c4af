// backendAuth on MCP backends: what credential each streamable-HTTP target receives. The client's
// own Authorization header goes upstream only with `passthrough` (route, route backend or target
// level); a static `key` replaces it; without backendAuth no credential leaves the gateway.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@agentplane/testing/free-port';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from './gateway.js';
import { startGatewayFromFile } from './testing/in-process-gateway.js';
import { startRecordingMcpServer, type RecordingMcpServer } from './testing/recording-mcp-server.js';

describe('MCP backendAuth (passthrough and static keys)', () => {
  let upstream: RecordingMcpServer;
  let gw: RunningGateway;
  let port = 0;
  const dir = mkdtempSync(join(tmpdir(), 'gw-mcp-auth-'));

  beforeAll(async () => {
    upstream = await startRecordingMcpServer();
    port = await freePort();
    const keyFile = join(dir, 'route-key');
    writeFileSync(keyFile, 'route-secret\n');
    const target = (name: string, policies = '') =>
      `{name: ${name}, mcp: {host: "${upstream.origin}/${name}"}${policies ? `, policies: ${policies}` : ''}}`;
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      `
config:
  session: {key: backend-auth-test-session-key}
binds:
- port: ${port}
  listeners:
  - routes:
    - name: passthrough
      matches: [{path: {pathPrefix: /passthrough}}]
      policies: {backendAuth: {passthrough: {}}}
      backends:
      - mcp:
          targets:
          - ${target('viaroute')}
          - {name: legacy, sse: {host: "${upstream.origin}/legacy/sse"}}
    - name: plain
      matches: [{path: {pathPrefix: /plain}}]
      backends: [{mcp: {targets: [${target('plain')}]}}]
    - name: backend-policy
      matches: [{path: {pathPrefix: /backend-policy}}]
      backends:
      - mcp: {targets: [${target('viabackend')}]}
        policies: {backendAuth: {passthrough: {}}}
    - name: keys
      matches: [{path: {pathPrefix: /keys}}]
      policies: {backendAuth: {key: {file: "${keyFile}"}}}
      backends:
      - mcp:
          targets:
          - ${target('routekey')}
          - ${target('ownkey', '{backendAuth: {key: target-secret}}')}
          - ${target('own-passthrough', '{backendAuth: {passthrough: {}}}')}
`,
    );
    gw = await startGatewayFromFile(file);
  });
  afterAll(async () => {
    await gw?.close(500);
    await upstream?.close();
  });

  /** An SDK client whose requests carry `Authorization: Bearer <token.value>` (changeable). */
  async function connect(path: string, token: { value: string }): Promise<Client> {
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}${path}`), {
      fetch: (url, init) => {
        const headers = new Headers(init?.headers);
        headers.set('authorization', `Bearer ${token.value}`);
        return fetch(url, { ...init, headers });
      },
    });
    const client = new Client({ name: 'auth-client', version: '1.0.0' });
    await client.connect(transport);
    return client;
  }
  const authsAt = (target: string, rpcMethod?: string) =>
    upstream.requests
      .filter(
        (r) => r.path.split('/')[1] === target && (rpcMethod === undefined || r.rpcMethod === rpcMethod),
      )
      .map((r) => r.headers.authorization);
  const sum = async (client: Client, tool: string) =>
    (await client.callTool({ name: tool, arguments: { a: 1, b: 2 } })).content;

  it('passthrough on the route sends each request with the credential of the client request it serves', async () => {
    const token = { value: 'client-token-1' };
    const client = await connect('/passthrough/mcp', token);
    for (const tool of ['viaroute_add', 'legacy_add'])
      expect(await sum(client, tool)).toEqual([{ type: 'text', text: '3' }]);
    token.value = 'client-token-2';
    for (const tool of ['viaroute_add', 'legacy_add'])
      expect(await sum(client, tool)).toEqual([{ type: 'text', text: '3' }]);
    await client.close();

    // Streamable HTTP and legacy SSE targets alike.
    for (const target of ['viaroute', 'legacy']) {
      expect(authsAt(target, 'initialize')).toEqual(['Bearer client-token-1']);
      expect(authsAt(target, 'tools/call')).toEqual(['Bearer client-token-1', 'Bearer client-token-2']);
      expect(authsAt(target).every((a) => a?.startsWith('Bearer client-token-'))).toBe(true);
    }
  });

  it('passthrough on the route backend works the same', async () => {
    const client = await connect('/backend-policy/mcp', { value: 'backend-level' });
    await sum(client, 'add');
    await client.close();
    expect(authsAt('viabackend', 'tools/call')).toEqual(['Bearer backend-level']);
  });

  it('without backendAuth the client credential stays at the gateway', async () => {
    const client = await connect('/plain/mcp', { value: 'must-not-leak' });
    await sum(client, 'add');
    await client.close();
    const seen = authsAt('plain');
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.every((a) => a === undefined)).toBe(true);
  });

  it('static keys (route file key, target inline key) replace the client credential; target passthrough overrides the route key', async () => {
    const client = await connect('/keys/mcp', { value: 'client-secret' });
    for (const tool of ['routekey_add', 'ownkey_add', 'own-passthrough_add']) await sum(client, tool);
    await client.close();

    expect(authsAt('routekey', 'tools/call')).toEqual(['Bearer route-secret']);
    expect(authsAt('ownkey', 'tools/call')).toEqual(['Bearer target-secret']);
    expect(authsAt('own-passthrough', 'tools/call')).toEqual(['Bearer client-secret']);
    // The session setup (and the tools/list the call resolved its name with) carried them too.
    expect(new Set(authsAt('routekey'))).toEqual(new Set(['Bearer route-secret']));
    expect(new Set(authsAt('ownkey'))).toEqual(new Set(['Bearer target-secret']));
    expect(new Set(authsAt('own-passthrough'))).toEqual(new Set(['Bearer client-secret']));
  });
});
