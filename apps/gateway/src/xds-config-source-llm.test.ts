// LLM policies over xDS, through a real gateway: an AI backend whose own policy signs with explicit
// AWS credentials, a provider policy with a webhook guard (CEL headers, forwarded headers) and a
// regex guard with its rejection, model prices from catalog files swapped the way a mounted
// ConfigMap changes, and a webhook header expression that does not compile (NACKed).
import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { createXdsServer, TypeUrl, XdsSnapshotCache, type XdsServer } from '@agentplane/xds';
import { BackendSchema } from '@agentplane/xds/v1/backend';
import { BindProtocol, BindSchema } from '@agentplane/xds/v1/bind';
import { ListenerProtocol, ListenerSchema } from '@agentplane/xds/v1/listener';
import { GuardAction, PolicySchema, type Policy } from '@agentplane/xds/v1/policy';
import { RouteSchema } from '@agentplane/xds/v1/route';
import { createLogger } from '@agentplane/telemetry/logger';
import { createMetricsRegistry } from '@agentplane/telemetry/metrics-registry';
import { freePort } from '@agentplane/testing/free-port';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { waitFor } from '@agentplane/testing/wait';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppConfig, type AppConfig } from './config.js';
import { startGateway, type RunningGateway } from './gateway.js';
import { createXdsConfigSource } from './xds-config-source.js';

const GW = 'default/gw';

/** A catalog directory laid out as the kubelet mounts a ConfigMap: `..data` swapped atomically. */
function catalogDir(root: string): { file: string; write: (inputPrice: string) => void } {
  const dir = join(root, 'catalog');
  mkdirSync(dir);
  let n = 0;
  const write = (inputPrice: string) => {
    const version = `..v${++n}`;
    mkdirSync(join(dir, version));
    writeFileSync(
      join(dir, version, 'catalog.json'),
      JSON.stringify({
        providers: { openai: { models: { 'gpt-*': { rates: { input: inputPrice, output: '10' } } } } },
      }),
    );
    symlinkSync(version, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  };
  write('2');
  symlinkSync('..data/catalog.json', join(dir, 'catalog.json'));
  return { file: join(dir, 'catalog.json'), write };
}

describe('LLM policies over xDS', () => {
  const cache = new XdsSnapshotCache();
  const registry = createMetricsRegistry();
  let server: XdsServer | undefined;
  let gw: RunningGateway | undefined;
  let llm: MockLlm;
  let hook: Server;
  const hookCalls: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  let port = 0;
  let catalog: ReturnType<typeof catalogDir>;

  const guards = (teamHeader: string): Policy =>
    create(PolicySchema, {
      key: 'policy/default/guards/backend/llm/primary',
      name: { namespace: 'default', name: 'guards' },
      target: {
        kind: { case: 'backend', value: { namespace: 'default', name: 'llm', sectionName: 'primary' } },
      },
      backend: {
        ai: {
          promptGuard: {
            request: [
              {
                kind: {
                  case: 'webhook',
                  value: {
                    host: '127.0.0.1',
                    port: (hook.address() as AddressInfo).port,
                    headers: { 'x-team': teamHeader },
                    forwardHeaderMatches: [{ name: 'x-user', value: { case: 'exact', value: 'alice' } }],
                  },
                },
              },
              {
                kind: { case: 'regex', value: { patterns: ['secret-[0-9]+'], action: GuardAction.REJECT } },
                rejection: { status: 422, body: new TextEncoder().encode('no secrets here') },
              },
            ],
          },
        },
      },
    });

  const chat = async (content: string, headers: Record<string, string> = {}) => {
    const r = await request(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }),
    });
    return { status: r.statusCode, text: await r.body.text() };
  };
  const cost = async () => {
    const text = await (await request(`http://127.0.0.1:${gw!.statsPort}/metrics`)).body.text();
    const line = text.split('\n').find((l) => l.startsWith('agentgateway_gen_ai_cost_total{'));
    return Number(line?.split(' ').at(-1) ?? '0');
  };

  beforeAll(async () => {
    llm = await startMockLlm({
      rules: [{ response: { content: 'pong', usage: { inputTokens: 1000, outputTokens: 100 } } }],
    });
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hookCalls.push({ url: req.url ?? '', headers: req.headers, body });
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify(
            body.includes('forbidden')
              ? { action: { body: 'blocked by policy', status_code: 451 } }
              : { action: { reason: 'ok' } },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'gw-xds-llm-'));
    writeFileSync(join(dir, 'token'), 'unused\n');
    catalog = catalogDir(dir);
    server = createXdsServer({ cache });
    const xdsPort = await server.listen('127.0.0.1:0');
    const app = parseAppConfig([], {
      XDS_ADDRESS: `127.0.0.1:${xdsPort}`,
      GATEWAY: 'gw',
      NAMESPACE: 'default',
      XDS_TOKEN_PATH: join(dir, 'token'),
      MODEL_CATALOG_FILES: catalog.file,
      ADMIN_ADDR: '127.0.0.1:0',
      STATS_ADDR: '127.0.0.1:0',
      READINESS_ADDR: '127.0.0.1:0',
      LISTEN_HOST: '127.0.0.1',
    }) as AppConfig;
    const logger = createLogger({ name: 'gateway', level: 'silent' });
    const source = createXdsConfigSource({ xds: app.xds!, logger, registry, env: app.env, coalesceMs: 5 });

    const bind = create(BindSchema, { key: 'bind/default/gw/80', port, protocol: BindProtocol.HTTP });
    const listener = create(ListenerSchema, {
      key: 'listener/default/gw/http',
      bindKey: bind.key,
      name: { gatewayName: 'gw', gatewayNamespace: 'default', listenerName: 'http' },
      protocol: ListenerProtocol.HTTP,
    });
    const backend = create(BackendSchema, {
      key: 'backend/default/llm',
      name: { namespace: 'default', name: 'llm' },
      kind: {
        case: 'ai',
        value: {
          groups: [
            {
              providers: [
                {
                  name: 'primary',
                  kind: { case: 'openai', value: { model: 'gpt-4o-mini' } },
                  hostOverride: { host: '127.0.0.1', port: llm.port },
                },
              ],
            },
          ],
        },
      },
    });
    const route = create(RouteSchema, {
      key: 'route/default/llm/0@default/gw/http',
      listenerKey: listener.key,
      name: { namespace: 'default', name: 'llm', ruleName: '0', kind: 'HTTPRoute' },
      matches: [{ path: { kind: { case: 'prefix', value: '/v1' } } }],
      backends: [{ backendKey: backend.key, weight: 1 }],
    });
    // AgentgatewayBackend spec.policies.auth.aws with its Secret resolved by the controller.
    const own = create(PolicySchema, {
      key: 'backend-policy/default/llm',
      name: { namespace: 'default', name: 'llm' },
      target: { kind: { case: 'backend', value: { namespace: 'default', name: 'llm' } } },
      backend: {
        backendAuth: {
          kind: {
            case: 'aws',
            value: {
              region: 'eu-west-1',
              serviceName: 'bedrock',
              accessKeyId: 'AKIDXDSTEST',
              secretAccessKey: 'secret-key',
              sessionToken: 'session-token',
            },
          },
        },
      },
    });
    const set = <T extends { key: string }>(typeUrl: string, list: T[]) =>
      cache.setResources(
        typeUrl,
        list.map((m) => [m.key, { message: m as never, gateways: [GW] }]),
      );
    set(TypeUrl.Bind, [bind]);
    set(TypeUrl.Listener, [listener]);
    set(TypeUrl.Backend, [backend]);
    set(TypeUrl.Route, [route]);
    set(TypeUrl.Policy, [own, guards('request.headers["x-team-in"]')]);
    gw = await startGateway({ app, logger, registry, source, tracing: false });
  });
  afterAll(async () => {
    await gw?.close(0);
    await server?.close();
    await llm?.close();
    await new Promise((resolve) => hook?.close(resolve));
  });

  it('signs provider requests with the AWS credentials of the backend’s own policy', async () => {
    const r = await chat('hello', { 'x-team-in': 'search' });
    expect(r.status).toBe(200);
    expect(r.text).toContain('pong');
    const sent = llm.requests.at(-1);
    expect(sent?.headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDXDSTEST\/\d{8}\/eu-west-1\/bedrock\/aws4_request/,
    );
    expect(sent?.headers['x-amz-security-token']).toBe('session-token');
  });

  it('calls the webhook with CEL-computed and forwarded headers, and applies its verdict', async () => {
    hookCalls.length = 0;
    const ok = await chat('hello', { 'x-team-in': 'search', 'x-user': 'alice', 'x-other': 'no' });
    expect(ok.status).toBe(200);
    expect(hookCalls[0]?.url).toBe('/request');
    expect(hookCalls[0]?.headers['x-team']).toBe('search');
    expect(hookCalls[0]?.headers['x-user']).toBe('alice');
    expect(hookCalls[0]?.headers['x-other']).toBeUndefined();

    const before = llm.requests.length;
    const blocked = await chat('something forbidden', { 'x-team-in': 'search' });
    expect(blocked).toEqual({ status: 451, text: 'blocked by policy' });
    const secret = await chat('my code is secret-42', { 'x-team-in': 'search' });
    expect(secret).toEqual({ status: 422, text: 'no secrets here' });
    expect(llm.requests.length).toBe(before);
  });

  it('prices requests from the catalog files, re-read when the mounted files change', async () => {
    const env = { XDS_ADDRESS: '127.0.0.1:9978', GATEWAY: 'gw', NAMESPACE: 'default' };
    expect(
      (parseAppConfig([], { ...env, MODEL_CATALOG_FILES: ' /a.json,,/b.json ' }) as AppConfig).xds,
    ).toMatchObject({ modelCatalogFiles: ['/a.json', '/b.json'] });
    expect(() => parseAppConfig(['-f', 'gw.yaml'], { MODEL_CATALOG_FILES: '/a.json' })).toThrow(
      'MODEL_CATALOG_FILES applies to config over xDS; with a config file use config.modelCatalog',
    );

    const start = await cost();
    expect((await chat('hello', { 'x-team-in': 'a' })).status).toBe(200);
    // 1000 × 2 / 1M + 100 × 10 / 1M
    expect((await cost()) - start).toBeCloseTo(0.003, 12);

    catalog.write('4');
    // The swap is picked up without any xDS change: 1000 × 4 / 1M + 100 × 10 / 1M.
    await waitFor(
      async () => {
        const before = await cost();
        await chat('hello', { 'x-team-in': 'a' });
        return Math.abs((await cost()) - before - 0.005) < 1e-9;
      },
      { timeoutMs: 10_000, description: 'new prices applied' },
    );
  });

  it('NACKs a webhook header expression that does not compile, and keeps serving', async () => {
    cache.updateResources(TypeUrl.Policy, {
      set: [
        [
          'policy/default/guards/backend/llm/primary',
          { message: guards('request.headers["x-team-in"'), gateways: [GW] },
        ],
      ],
    });
    const nack = await waitFor(
      () => server?.clients()[0]?.types.find((t) => t.typeUrl === TypeUrl.Policy)?.lastNack,
      { description: 'policy NACKed' },
    );
    expect(JSON.stringify(nack)).toContain('webhook.headers.x-team: invalid CEL expression');
    const r = await chat('my code is secret-42', { 'x-team-in': 'search' });
    expect(r.status).toBe(422);
  });
});
