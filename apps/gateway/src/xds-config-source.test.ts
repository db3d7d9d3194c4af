// The gateway taking its config over xDS from our own Delta ADS server (in-process), without
// Kubernetes: first sync, live changes, a NACKed bad resource, and a control plane that goes away.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { createXdsServer, TypeUrl, XdsSnapshotCache, type XdsServer } from '@agentplane/xds';
import { BindProtocol, BindSchema } from '@agentplane/xds/v1/bind';
import { ListenerProtocol, ListenerSchema } from '@agentplane/xds/v1/listener';
import { RouteSchema, type Route } from '@agentplane/xds/v1/route';
import { createLogger } from '@agentplane/telemetry/logger';
import { createMetricsRegistry } from '@agentplane/telemetry/metrics-registry';
import { freePort } from '@agentplane/testing/free-port';
import { waitFor } from '@agentplane/testing/wait';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppConfig, type AppConfig } from './config.js';
import { startGateway, type RunningGateway } from './gateway.js';
import { createXdsConfigSource } from './xds-config-source.js';

const GW = 'default/gw';
const bind = (port: number) =>
  create(BindSchema, { key: 'bind/default/gw/80', port, protocol: BindProtocol.HTTP });
const listener = create(ListenerSchema, {
  key: 'listener/default/gw/http',
  bindKey: 'bind/default/gw/80',
  name: { gatewayName: 'gw', gatewayNamespace: 'default', listenerName: 'http' },
  protocol: ListenerProtocol.HTTP,
});
const route = (body: string, regex?: string): Route =>
  create(RouteSchema, {
    key: 'route/default/hello/0@default/gw/http',
    listenerKey: listener.key,
    name: { namespace: 'default', name: 'hello', ruleName: '0', kind: 'HTTPRoute' },
    matches: [{ path: { kind: regex ? { case: 'regex', value: regex } : { case: 'prefix', value: '/' } } }],
    trafficPolicy: { directResponse: { status: 200, body: new TextEncoder().encode(body) } },
  });

describe('gateway config over xDS', () => {
  const cache = new XdsSnapshotCache();
  let server: XdsServer | undefined;
  let gw: RunningGateway | undefined;
  let port = 0;
  const registry = createMetricsRegistry();

  const get = async (): Promise<string> => {
    const r = await request(`http://127.0.0.1:${port}/anything`);
    return `${r.statusCode} ${await r.body.text()}`;
  };

  beforeAll(async () => {
    port = await freePort();
    server = createXdsServer({ cache });
    const xdsPort = await server.listen('127.0.0.1:0');
    const dir = mkdtempSync(join(tmpdir(), 'gw-xds-'));
    writeFileSync(join(dir, 'token'), 'unused\n');
    const app = parseAppConfig([], {
      XDS_ADDRESS: `127.0.0.1:${xdsPort}`,
      GATEWAY: 'gw',
      NAMESPACE: 'default',
      POD_NAME: 'gw-0',
      XDS_TOKEN_PATH: join(dir, 'token'),
      ADMIN_ADDR: '127.0.0.1:0',
      STATS_ADDR: '127.0.0.1:0',
      READINESS_ADDR: '127.0.0.1:0',
      LISTEN_HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    }) as AppConfig;
    expect(app.xds).toMatchObject({ gateway: { namespace: 'default', name: 'gw' }, podName: 'gw-0' });
    const logger = createLogger({ name: 'gateway', level: 'silent' });
    const source = createXdsConfigSource({
      xds: app.xds!,
      logger,
      registry,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    cache.setResources(TypeUrl.Bind, [[bind(port).key, { message: bind(port), gateways: [GW] }]]);
    cache.setResources(TypeUrl.Listener, [[listener.key, { message: listener, gateways: [GW] }]]);
    cache.setResources(TypeUrl.Route, [[route('v1').key, { message: route('v1'), gateways: [GW] }]]);
    gw = await startGateway({ app, logger, registry, source, tracing: false });
  });
  afterAll(async () => {
    await gw?.close(0);
    await server?.close();
  });

  it('serves after the first sync, applies changes, NACKs a bad resource and keeps the last good config', async () => {
    expect(await get()).toBe('200 v1');
    cache.setResources(TypeUrl.Route, [[route('v2').key, { message: route('v2'), gateways: [GW] }]]);
    await waitFor(async () => (await get()) === '200 v2', { description: 'route v2 applied' });

    cache.setResources(TypeUrl.Route, [
      [route('bad', '(').key, { message: route('bad', '('), gateways: [GW] }],
    ]);
    const nack = await waitFor(
      () => server?.clients()[0]?.types.find((t) => t.typeUrl === TypeUrl.Route)?.lastNack,
      { description: 'route NACKed' },
    );
    expect(JSON.stringify(nack)).toContain('invalid regular expression');
    expect(await get()).toBe('200 v2');

    // The control plane goes away: the last good config keeps serving.
    await server?.close();
    server = undefined;
    await waitFor(async () =>
      (await registry.getSingleMetricAsString('agentgateway_xds_connection_terminations_total')).match(
        / [1-9]\d*$/m,
      ),
    );
    expect(await get()).toBe('200 v2');
    const text = await registry.metrics();
    expect(text).toMatch(
      /agentgateway_xds_message_total\{type_url="type.googleapis.com\/agentplane.xds.v1.Route"\} [1-9]/,
    );
    expect(text).toMatch(/agentgateway_xds_message_bytes_total\{type_url="[^"]+"\} [1-9]/);
  });
});
