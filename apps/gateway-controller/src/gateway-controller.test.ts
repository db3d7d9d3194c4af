// End to end against a real kube-apiserver with the Gateway API CRDs: the controller (in-process)
// translates applied objects into xDS; a gateway process (apps/gateway/dist/main.js) authenticated
// by a real ServiceAccount token takes its config over xDS and serves MCP to the official client.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeResourceStore, type KubeObject } from '@agentplane/k8s';
import { createLogger, createMetricsRegistry } from '@agentplane/telemetry';
import { setupEnvtest } from '@agentplane/testing/envtest/vitest';
import { freePort } from '@agentplane/testing/free-port';
import { spawnManaged, type ManagedProcess } from '@agentplane/testing/managed-process';
import { startHttpMcpServer } from '@agentplane/testing/mcp-servers';
import { startMockLlm } from '@agentplane/testing/mock-llm';
import { waitFor } from '@agentplane/testing/wait';
import { createXdsClient } from '@agentplane/xds';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseControllerConfig } from './config.js';
import { startGatewayController, type RunningController } from './controller.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const envtest = setupEnvtest({ env: process.env, gatewayApiCrds: true });

type Obj = KubeObject & { status?: Record<string, unknown> };
type Condition = { type: string; status: string; reason: string; message?: string };
const GROUP = 'gateway.networking.k8s.io';

describe.skipIf(!envtest.available)('gateway-controller against kube-apiserver', () => {
  let store: KubeResourceStore;
  let controller: RunningController;
  let mcp: Awaited<ReturnType<typeof startHttpMcpServer>>;
  let gateway: ManagedProcess | undefined;
  let gwPort = 0;
  let client: Client;
  let transport: StreamableHTTPClientTransport;
  const dir = mkdtempSync(join(tmpdir(), 'gw-ctrl-'));

  const apply = (obj: Record<string, unknown>) => store.apply(obj as KubeObject);
  const get = async (apiVersion: string, kind: string, name: string, namespace = 'default') =>
    await store.client.request<Obj>('GET', await store.client.path({ apiVersion, kind }, namespace, name));
  const conditions = (list: unknown): Record<string, string> =>
    Object.fromEntries(((list ?? []) as Condition[]).map((c) => [c.type, `${c.status}/${c.reason}`]));
  const requestToken = async (sa: string, audience: string): Promise<string> => {
    const res = await store.client.request<{ status: { token: string } }>(
      'POST',
      `/api/v1/namespaces/default/serviceaccounts/${sa}/token`,
      {
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { audiences: [audience], expirationSeconds: 3600 },
        },
      },
    );
    return res.status.token;
  };
  const route = (filters: unknown[] = []) => ({
    apiVersion: `${GROUP}/v1`,
    kind: 'HTTPRoute',
    metadata: { name: 'mcp', namespace: 'default' },
    spec: {
      parentRefs: [{ name: 'gw' }],
      rules: [
        {
          name: 'mcp',
          matches: [{ path: { type: 'PathPrefix', value: '/mcp' } }],
          filters,
          backendRefs: [{ group: 'agentgateway.dev', kind: 'AgentgatewayBackend', name: 'tools' }],
        },
      ],
    },
  });
  const post = async (path: string) => {
    const r = await request(`http://127.0.0.1:${gwPort}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      }),
    });
    await r.body.dump();
    return r;
  };

  beforeAll(async () => {
    execFileSync('pnpm', ['nx', 'run', '@agentplane/gateway:build', '--output-style=static'], {
      cwd: repoRoot,
      env: { ...process.env, NX_NO_CLOUD: 'true' },
      stdio: 'ignore',
    });
    const env = envtest.get();
    store = new KubeResourceStore({ kubeConfig: env.kubeConfig, fieldManager: 'test' });
    mcp = await startHttpMcpServer({ transport: 'streamableHttp' });
    gwPort = await freePort();

    await apply({
      apiVersion: `${GROUP}/v1`,
      kind: 'GatewayClass',
      metadata: { name: 'agentgateway' },
      spec: { controllerName: 'agentgateway.dev/agentgateway' },
    });
    await apply({
      apiVersion: `${GROUP}/v1`,
      kind: 'Gateway',
      metadata: { name: 'gw', namespace: 'default' },
      spec: {
        gatewayClassName: 'agentgateway',
        listeners: [{ name: 'http', protocol: 'HTTP', port: gwPort }],
      },
    });
    await apply({
      apiVersion: 'agentgateway.dev/v1alpha1',
      kind: 'AgentgatewayBackend',
      metadata: { name: 'tools', namespace: 'default' },
      spec: {
        mcp: {
          targets: [
            {
              name: 'everything',
              static: { host: '127.0.0.1', port: mcp.port, path: '/mcp', protocol: 'StreamableHTTP' },
            },
          ],
        },
      },
    });
    await apply(route());
    await apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'gw', namespace: 'default' } });

    const config = parseControllerConfig(
      [
        '--xds-port',
        '0',
        '--xds-host',
        '127.0.0.1',
        '--metrics-port',
        '0',
        '--xds-advertise-address',
        '127.0.0.1:9978',
      ],
      { KUBECONFIG: env.kubeconfigPath, POD_NAMESPACE: 'default' },
      { version: 'test', commit: 'test' },
    );
    if (config === 'help') throw new Error('unexpected help');
    controller = await startGatewayController({
      config,
      kubeConfig: env.kubeConfig,
      logger: createLogger({ name: 'gateway-controller', level: 'silent' }),
      registry: createMetricsRegistry(),
    });

    const tokenPath = join(dir, 'xds-token');
    writeFileSync(tokenPath, await requestToken('gw', 'agentgateway'));
    const port = async () => `127.0.0.1:${await freePort()}`;
    const readiness = await freePort();
    gateway = spawnManaged(process.execPath, [join(repoRoot, 'apps/gateway/dist/main.js')], {
      env: {
        PATH: process.env.PATH,
        XDS_ADDRESS: `127.0.0.1:${controller.xdsPort}`,
        GATEWAY: 'gw',
        NAMESPACE: 'default',
        POD_NAME: 'gw-0',
        XDS_TOKEN_PATH: tokenPath,
        SESSION_KEY: 'e2e-session-key-0123456789abcdef',
        ADMIN_ADDR: await port(),
        STATS_ADDR: await port(),
        READINESS_ADDR: `127.0.0.1:${readiness}`,
        LISTEN_HOST: '127.0.0.1',
      },
    });
    const proc = gateway;
    await waitFor(
      async () => {
        if (proc.exited()) throw new Error(`gateway exited:\n${proc.output()}`);
        const r = await request(`http://127.0.0.1:${readiness}/healthz/ready`);
        await r.body.dump();
        return r.statusCode === 200;
      },
      {
        timeoutMs: 20_000,
        description: 'gateway ready over xDS',
        isFatal: (e) => e instanceof Error && e.message.startsWith('gateway exited'),
      },
    );
  }, 180_000);

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    if (gateway && !gateway.exited()) await gateway.stop(10_000);
    await controller?.close();
    await mcp?.dispose();
    await store?.stop();
    store?.client.close();
  });

  it('serves the multiplexed MCP endpoint of an applied Gateway, Backend and HTTPRoute; writes statuses and the workload', async () => {
    client = new Client({ name: 'e2e', version: '1' });
    transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${gwPort}/mcp`));
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('echo');
    const echo = await client.callTool({ name: 'echo', arguments: { message: 'over xds' } });
    expect(JSON.stringify(echo.content)).toContain('over xds');

    await waitFor(
      async () => {
        const gc = await get(`${GROUP}/v1`, 'GatewayClass', 'agentgateway', '');
        const gw = await get(`${GROUP}/v1`, 'Gateway', 'gw');
        const rt = await get(`${GROUP}/v1`, 'HTTPRoute', 'mcp');
        const parents = (rt.status?.['parents'] ?? []) as { conditions: unknown }[];
        return (
          conditions(gc.status?.['conditions'])['Accepted'] === 'True/Accepted' &&
          conditions(gw.status?.['conditions'])['Accepted'] === 'True/Accepted' &&
          conditions(gw.status?.['conditions'])['Programmed'] === 'True/Programmed' &&
          ((gw.status?.['addresses'] ?? []) as unknown[]).length > 0 &&
          conditions(parents[0]?.conditions)['ResolvedRefs'] === 'True/ResolvedRefs' &&
          conditions(parents[0]?.conditions)['Accepted'] === 'True/Accepted'
        );
      },
      { timeoutMs: 15_000, description: 'GatewayClass, Gateway and HTTPRoute statuses' },
    );
    const listeners = (await get(`${GROUP}/v1`, 'Gateway', 'gw')).status?.['listeners'] as {
      name: string;
      attachedRoutes: number;
    }[];
    expect(listeners).toMatchObject([{ name: 'http', attachedRoutes: 1 }]);
    const deployment = await get('apps/v1', 'Deployment', 'gw');
    const container = (
      deployment['spec'] as { template: { spec: { containers: { env: { name: string }[] }[] } } }
    ).template.spec.containers[0];
    expect(container?.env.map((e) => e.name)).toEqual(
      expect.arrayContaining(['XDS_ADDRESS', 'GATEWAY', 'NAMESPACE', 'SESSION_KEY']),
    );
    expect((await get('v1', 'Secret', 'gw-session')).metadata.ownerReferences?.[0]?.kind).toBe('Gateway');
  });

  it('editing the route changes behaviour without dropping the open MCP session', async () => {
    const session = transport.sessionId;
    expect(session).toBeTruthy();
    await apply(
      route([
        {
          type: 'ResponseHeaderModifier',
          responseHeaderModifier: { set: [{ name: 'x-route', value: 'v2' }] },
        },
      ]),
    );
    await waitFor(async () => (await post('/mcp')).headers['x-route'] === 'v2', {
      timeoutMs: 15_000,
      description: 'route edit applied',
    });
    const again = await client.callTool({ name: 'echo', arguments: { message: 'same session' } });
    expect(JSON.stringify(again.content)).toContain('same session');
    expect(transport.sessionId).toBe(session);
  });

  it('an AgentgatewayPolicy with a CEL rule denies a tool', async () => {
    await apply({
      apiVersion: 'agentgateway.dev/v1alpha1',
      kind: 'AgentgatewayPolicy',
      metadata: { name: 'no-echo', namespace: 'default' },
      spec: {
        targetRefs: [{ group: GROUP, kind: 'HTTPRoute', name: 'mcp' }],
        backend: {
          mcp: {
            authorization: { action: 'Deny', policy: { matchExpressions: ['mcp.tool.name == "echo"'] } },
          },
        },
      },
    });
    await waitFor(async () => !(await client.listTools()).tools.some((t) => t.name === 'echo'), {
      timeoutMs: 15_000,
      description: 'echo filtered out',
    });
    const denied = await client.callTool({ name: 'echo', arguments: { message: 'x' } }).then(
      (r) => r.isError === true,
      () => true,
    );
    expect(denied).toBe(true);
    expect((await client.listTools()).tools.some((t) => t.name === 'get-sum')).toBe(true);
    await waitFor(async () => {
      const p = await get('agentgateway.dev/v1alpha1', 'AgentgatewayPolicy', 'no-echo');
      const ancestors = (p.status?.['ancestors'] ?? []) as { conditions: unknown }[];
      return conditions(ancestors[0]?.conditions)['Accepted'] === 'True/Accepted';
    });
  });

  it('a bad resource gets a status reason and the gateway keeps serving its good config', async () => {
    await apply({
      ...route(),
      metadata: { name: 'broken', namespace: 'default' },
      spec: {
        parentRefs: [{ name: 'gw' }],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/broken' } }],
            backendRefs: [{ group: 'agentgateway.dev', kind: 'AgentgatewayBackend', name: 'missing' }],
          },
        ],
      },
    });
    const reason = await waitFor(
      async () => {
        const rt = await get(`${GROUP}/v1`, 'HTTPRoute', 'broken');
        const parents = (rt.status?.['parents'] ?? []) as { conditions: unknown }[];
        return conditions(parents[0]?.conditions)['ResolvedRefs'];
      },
      { timeoutMs: 15_000, description: 'broken route status' },
    );
    expect(reason).toBe('False/BackendNotFound');
    const ok = await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } });
    expect(JSON.stringify(ok.content)).toContain('3');
  });

  it('a Gateway whose workload cannot be provisioned says why in Programmed', async () => {
    await apply({
      apiVersion: 'agentgateway.dev/v1alpha1',
      kind: 'AgentgatewayParameters',
      metadata: { name: 'json-logs', namespace: 'default' },
      spec: { logging: { format: 'json' } },
    });
    await apply({
      apiVersion: `${GROUP}/v1`,
      kind: 'Gateway',
      metadata: { name: 'unprovisioned', namespace: 'default' },
      spec: {
        gatewayClassName: 'agentgateway',
        infrastructure: {
          parametersRef: { group: 'agentgateway.dev', kind: 'AgentgatewayParameters', name: 'json-logs' },
        },
        listeners: [{ name: 'http', protocol: 'HTTP', port: 18080 }],
      },
    });
    const programmed = await waitFor(
      async () => {
        const gw = await get(`${GROUP}/v1`, 'Gateway', 'unprovisioned');
        const c = ((gw.status?.['conditions'] ?? []) as Condition[]).find((x) => x.type === 'Programmed');
        return c?.status === 'False' && c.reason === 'Invalid' ? c : false;
      },
      { timeoutMs: 15_000, description: 'Programmed=False on the unprovisioned Gateway' },
    );
    expect(programmed.message).toContain('logging.format');
    await store.delete({ apiVersion: `${GROUP}/v1`, kind: 'Gateway' }, 'default', 'unprovisioned');
    // The provisioned Gateway keeps serving.
    const ok = await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 2 } });
    expect(JSON.stringify(ok.content)).toContain('4');
  });

  it('serves an AI backend from CRDs: AWS signing from a Secret, a webhook guard with CEL and forwarded headers', async () => {
    const llm = await startMockLlm({ rules: [{ response: { content: 'pong' } }] });
    const calls: { url: string; headers: IncomingHttpHeaders }[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        calls.push({ url: req.url ?? '', headers: req.headers });
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify(
            body.includes('forbidden') ? { action: { body: 'blocked', status_code: 451 } } : { action: {} },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    try {
      await apply({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'aws-creds', namespace: 'default' },
        stringData: { accessKey: 'AKIDE2E', secretKey: 'e2e-secret', sessionToken: 'e2e-token' },
      });
      await apply({
        apiVersion: 'agentgateway.dev/v1alpha1',
        kind: 'AgentgatewayBackend',
        metadata: { name: 'llm', namespace: 'default' },
        spec: {
          ai: { provider: { openai: { model: 'gpt-4o-mini' }, host: '127.0.0.1', port: llm.port } },
          policies: {
            auth: { aws: { region: 'eu-west-1', serviceName: 'bedrock', secretRef: { name: 'aws-creds' } } },
          },
        },
      });
      await apply({
        apiVersion: 'agentgateway.dev/v1alpha1',
        kind: 'AgentgatewayBackend',
        metadata: { name: 'guard', namespace: 'default' },
        spec: { static: { host: '127.0.0.1', port: (hook.address() as AddressInfo).port } },
      });
      await apply({
        apiVersion: 'agentgateway.dev/v1alpha1',
        kind: 'AgentgatewayPolicy',
        metadata: { name: 'llm-guard', namespace: 'default' },
        spec: {
          targetRefs: [{ group: 'agentgateway.dev', kind: 'AgentgatewayBackend', name: 'llm' }],
          backend: {
            ai: {
              promptGuard: {
                request: [
                  {
                    webhook: {
                      backendRef: { group: 'agentgateway.dev', kind: 'AgentgatewayBackend', name: 'guard' },
                      headers: { 'x-team': 'request.headers["x-team-in"]' },
                      forwardHeaderMatches: [{ name: 'x-user', value: 'alice' }],
                    },
                  },
                ],
              },
            },
          },
        },
      });
      // AWS signing cannot apply to a route: refused in status, naming the field.
      await apply({
        apiVersion: 'agentgateway.dev/v1alpha1',
        kind: 'AgentgatewayPolicy',
        metadata: { name: 'route-aws', namespace: 'default' },
        spec: {
          targetRefs: [{ group: GROUP, kind: 'HTTPRoute', name: 'llm' }],
          backend: { auth: { aws: { region: 'us-east-1' } } },
        },
      });
      await apply({
        apiVersion: `${GROUP}/v1`,
        kind: 'HTTPRoute',
        metadata: { name: 'llm', namespace: 'default' },
        spec: {
          parentRefs: [{ name: 'gw' }],
          rules: [
            {
              matches: [{ path: { type: 'PathPrefix', value: '/v1' } }],
              backendRefs: [{ group: 'agentgateway.dev', kind: 'AgentgatewayBackend', name: 'llm' }],
            },
          ],
        },
      });
      const chat = async (content: string) => {
        const r = await request(`http://127.0.0.1:${gwPort}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-team-in': 'search', 'x-user': 'alice' },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }),
        });
        return { status: r.statusCode, text: await r.body.text() };
      };
      await waitFor(async () => (await chat('hello')).status === 200 && calls.length > 0, {
        timeoutMs: 15_000,
        description: 'LLM route with its guard served',
      });
      expect(llm.requests.at(-1)?.headers['authorization']).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDE2E\/\d{8}\/eu-west-1\/bedrock\/aws4_request/,
      );
      expect(calls.at(-1)?.headers).toMatchObject({ 'x-team': 'search', 'x-user': 'alice' });
      expect(await chat('something forbidden')).toEqual({ status: 451, text: 'blocked' });

      const accepted = async (name: string) => {
        const p = await get('agentgateway.dev/v1alpha1', 'AgentgatewayPolicy', name);
        const c = ((p.status?.['ancestors'] ?? []) as { conditions: Condition[] }[])[0]?.conditions[0];
        return c ? `${c.status}/${c.reason}: ${c.message ?? ''}` : undefined;
      };
      await waitFor(async () => (await accepted('llm-guard'))?.startsWith('True/Accepted'), {
        timeoutMs: 15_000,
        description: 'llm-guard accepted',
      });
      const refused = await waitFor(() => accepted('route-aws'), { timeoutMs: 15_000 });
      expect(refused).toContain('False/Invalid: spec.backend.auth.aws: AWS request signing applies to AI');
    } finally {
      await llm.close();
      await new Promise((resolve) => hook.close(resolve));
    }
  });

  it('deleting the route removes it from the gateway', async () => {
    await store.delete({ apiVersion: `${GROUP}/v1`, kind: 'HTTPRoute' }, 'default', 'mcp');
    await waitFor(async () => (await post('/mcp')).statusCode === 404, {
      timeoutMs: 15_000,
      description: 'route gone',
    });
  });

  it('rejects an xDS client whose token is wrong or for another audience', async () => {
    const attempt = async (token: string) => {
      const c = createXdsClient({
        address: `127.0.0.1:${controller.xdsPort}`,
        node: { id: 'intruder', gateway: { namespace: 'default', name: 'gw' } },
        token: () => token,
        backoff: { initialMs: 60_000, maxMs: 60_000 },
      });
      const ended = new Promise<number>((resolve) => c.once('disconnected', (s) => resolve(s.code)));
      c.start();
      try {
        return await ended;
      } finally {
        await c.close();
      }
    };
    const UNAUTHENTICATED = 16;
    expect(await attempt('not-a-token')).toBe(UNAUTHENTICATED);
    expect(await attempt(await requestToken('gw', 'some-other-audience'))).toBe(UNAUTHENTICATED);
    expect(controller.server.clients().map((c) => c.identity.username)).toEqual([
      'system:serviceaccount:default:gw',
    ]);
  });
});
