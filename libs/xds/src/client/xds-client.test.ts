import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { create } from '@bufbuild/protobuf';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadAdsDefinition } from '../ads/ads-definition.js';
import type { AdsDefinition } from '../ads/ads-definition.js';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from '../ads/wire-types.js';
import { TrafficPolicySchema } from '../gen/agentplane/xds/v1/policy_pb.js';
import type { Policy } from '../gen/agentplane/xds/v1/policy_pb.js';
import type { Route } from '../gen/agentplane/xds/v1/route_pb.js';
import { RouteSchema } from '../gen/agentplane/xds/v1/route_pb.js';
import { gatewayKey } from '../node-identity.js';
import type { GatewayRef } from '../node-identity.js';
import { contentVersion, encodeResource } from '../resource-codec.js';
import { createTokenReviewAuthenticator } from '../server/authentication.js';
import type { XdsPushInfo } from '../server/server-metrics.js';
import { XdsSnapshotCache } from '../server/snapshot-cache.js';
import { createXdsServer } from '../server/xds-server.js';
import type { XdsServerOptions } from '../server/xds-server.js';
import {
  sampleBind,
  sampleListener,
  sampleMcpAuthzPolicy,
  sampleMcpBackend,
  sampleRoute,
} from '../testing/fixtures.js';
import { agentplaneResourceTypes, TypeUrl } from '../type-urls.js';
import { createXdsClient } from './xds-client.js';
import type { XdsClient, XdsClientOptions, XdsNackEvent, XdsSyncState } from './xds-client.js';

const gw: GatewayRef = { namespace: 'ns-a', name: 'gw' };
const fast = { initialMs: 20, maxMs: 200 };

let ads: AdsDefinition;
beforeAll(() => {
  ads = loadAdsDefinition();
});

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function eventually(check: () => void, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

function seed(cache: XdsSnapshotCache): void {
  const only = [gatewayKey(gw)];
  cache.setResources(TypeUrl.Bind, [['ns-a/gw/8080', { message: sampleBind(gw, 8080), gateways: only }]]);
  cache.setResources(TypeUrl.Listener, [
    ['ns-a/gw/http', { message: sampleListener(gw, 8080), gateways: only }],
  ]);
  cache.setResources(TypeUrl.Backend, [['ns-a/mcp', { message: sampleMcpBackend('ns-a', 'mcp') }]]);
  cache.setResources(TypeUrl.Policy, [
    [
      'ns-a/only-echo',
      { message: sampleMcpAuthzPolicy('ns-a', 'only-echo', 'mcp', 'mcp.tool.name == "echo"') },
    ],
  ]);
  cache.setResources(TypeUrl.Route, [
    ['ns-a/r1', { message: sampleRoute(gw, 'r1', 'ns-a/mcp'), gateways: only }],
    ['ns-a/r2', { message: sampleRoute(gw, 'r2', 'ns-a/mcp'), gateways: only }],
  ]);
}

async function startServer(
  cache: XdsSnapshotCache,
  options: Partial<XdsServerOptions> = {},
  address = '127.0.0.1:0',
) {
  const pushes: XdsPushInfo[] = [];
  const server = createXdsServer({ cache, ads, metrics: { pushed: (p) => pushes.push(p) }, ...options });
  const port = await server.listen(address);
  cleanups.push(() => server.close());
  return { server, port, pushes };
}

function startClient(port: number, options: Partial<XdsClientOptions> = {}) {
  const client = createXdsClient({
    address: `127.0.0.1:${port}`,
    node: { id: 'gw-0', gateway: gw },
    ads,
    backoff: fast,
    ...options,
  });
  const states: XdsSyncState[] = [];
  const nacks: XdsNackEvent[] = [];
  client.on('state', (s) => states.push(s));
  client.on('nack', (n) => nacks.push(n));
  client.start();
  cleanups.push(() => client.close());
  return { client, states, nacks };
}

const routeOf = (client: XdsClient, name: string) =>
  client.resources(TypeUrl.Route).get(name)?.message as Route | undefined;

describe('xDS client', () => {
  it('syncs every type, reports its states, and applies changes and removals', async () => {
    const cache = new XdsSnapshotCache();
    seed(cache);
    const { server, port } = await startServer(cache);
    const { client, states } = startClient(port);
    await client.whenSynced();
    expect(states).toEqual(['syncing', 'synced']);
    expect([...client.resources(TypeUrl.Route).keys()].sort()).toEqual(['ns-a/r1', 'ns-a/r2']);
    const policy = client.resources(TypeUrl.Policy).get('ns-a/only-echo')?.message as Policy | undefined;
    expect(policy?.backend?.mcpAuthorization?.rules).toEqual(['mcp.tool.name == "echo"']);
    expect(policy?.target?.kind).toEqual({
      case: 'backend',
      value: expect.objectContaining({ name: 'mcp' }) as unknown,
    });
    expect(routeOf(client, 'ns-a/r1')?.backends[0]?.backendKey).toBe('ns-a/mcp');

    const changes: string[] = [];
    client.on('change', (c) =>
      changes.push(
        `${c.typeUrl.split('.').pop()}:${c.updated.map((u) => u.name).join()}:${c.removed.join()}`,
      ),
    );
    cache.updateResources(TypeUrl.Route, {
      set: [['ns-a/r1', { message: sampleRoute(gw, 'r1', 'ns-a/other'), gateways: [gatewayKey(gw)] }]],
      remove: ['ns-a/r2'],
    });
    await eventually(() => expect(changes).toEqual(['Route:ns-a/r1:ns-a/r2']));
    expect(routeOf(client, 'ns-a/r1')?.backends[0]?.backendKey).toBe('ns-a/other');
    // ...and every response was ACKed.
    await eventually(() => {
      const route = server.clients()[0]?.types.find((t) => t.typeUrl === TypeUrl.Route);
      expect(route?.pending).toBe(0);
      expect([...(route?.acked.keys() ?? [])]).toEqual(['ns-a/r1']);
    });
  });

  it('NACKs a resource its validator rejects and keeps the last good config', async () => {
    const cache = new XdsSnapshotCache();
    seed(cache);
    const { server, port } = await startServer(cache);
    const { client, nacks, states } = startClient(port, {
      validateResource: (_t, r) =>
        (r.message as Route).backends?.some((b) => b.backendKey === 'ns-a/missing')
          ? 'backend ns-a/missing not found'
          : undefined,
    });
    await client.whenSynced();
    const good = client.resources(TypeUrl.Route).get('ns-a/r1');
    cache.updateResources(TypeUrl.Route, {
      set: [['ns-a/r1', { message: sampleRoute(gw, 'r1', 'ns-a/missing'), gateways: [gatewayKey(gw)] }]],
    });
    await eventually(() => expect(nacks).toHaveLength(1));
    expect(nacks[0]?.reason).toContain('backend ns-a/missing not found');
    expect(client.resources(TypeUrl.Route).get('ns-a/r1')).toBe(good);
    expect(states.at(-1)).toBe('synced');
    await eventually(() => {
      const route = server.clients()[0]?.types.find((t) => t.typeUrl === TypeUrl.Route);
      expect(route?.lastNack?.message).toContain('backend ns-a/missing not found');
      expect(route?.acked.get('ns-a/r1')).toBe(good?.version);
    });
  });

  it('NACKs a response that names a resource twice and keeps the last good config', async () => {
    // A scripted server: a good response, then one with a duplicate name.
    const requests: DeltaDiscoveryRequest[] = [];
    const encode = (r: Route) => encodeResource(RouteSchema, r);
    const res = (nonce: string, routes: Route[]): DeltaDiscoveryResponse => ({
      system_version_info: nonce,
      type_url: TypeUrl.Route,
      nonce,
      removed_resources: [],
      resources: routes.map((r) => ({
        name: r.key,
        version: contentVersion(encode(r)),
        resource: { type_url: TypeUrl.Route, value: encode(r) },
      })),
    });
    const server = new Server();
    server.addService(ads.service, {
      DeltaAggregatedResources: (call: ServerDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>) => {
        call.on('data', (req: DeltaDiscoveryRequest) => {
          requests.push(req);
          if (requests.length === 1) call.write(res('1', [sampleRoute(gw, 'r1', 'ns-a/a')]));
          if (req.response_nonce === '1') {
            call.write(res('2', [sampleRoute(gw, 'r1', 'ns-a/b'), sampleRoute(gw, 'r1', 'ns-a/c')]));
          }
        });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    cleanups.push(() => server.forceShutdown());
    const { client, nacks } = startClient(port, { types: new Map([[TypeUrl.Route, RouteSchema]]) });
    await client.whenSynced();
    await eventually(() => expect(nacks).toHaveLength(1));
    expect(nacks[0]?.reason).toContain('ns-a/r1 is named twice');
    expect(routeOf(client, 'ns-a/r1')?.backends[0]?.backendKey).toBe('ns-a/a');
    const nack = requests.find((r) => r.response_nonce === '2');
    expect(nack?.error_detail?.message).toContain('named twice');
    expect(requests.find((r) => r.response_nonce === '1')?.error_detail).toBeNull();
  });

  it('reconnects with backoff, resends its versions, and is sent only what changed', async () => {
    const cache = new XdsSnapshotCache();
    seed(cache);
    const first = await startServer(cache);
    const { client, states } = startClient(first.port);
    await client.whenSynced();
    await first.server.close();
    await eventually(() => expect(client.state).toBe('stale'));
    // The config survives the outage.
    expect(client.resources(TypeUrl.Route).size).toBe(2);

    cache.updateResources(TypeUrl.Route, {
      set: [['ns-a/r2', { message: sampleRoute(gw, 'r2', 'ns-a/v2'), gateways: [gatewayKey(gw)] }]],
    });
    const second = await startServer(cache, {}, `127.0.0.1:${first.port}`);
    await eventually(() => expect(client.state).toBe('synced'));
    expect(states).toEqual(['syncing', 'synced', 'stale', 'synced']);
    expect(routeOf(client, 'ns-a/r2')?.backends[0]?.backendKey).toBe('ns-a/v2');
    // Only r2 was sent after the reconnect; the other types got empty responses.
    const sent = second.pushes.flatMap((p) => p.resourceNames);
    expect(sent).toEqual(['ns-a/r2']);
    expect(second.pushes).toHaveLength(agentplaneResourceTypes().size);
  });

  it('splits a large update under the 4 MiB receive limit', async () => {
    const cache = new XdsSnapshotCache();
    seed(cache);
    const big = (i: number) => {
      const route = sampleRoute(gw, `big${i}`, 'ns-a/mcp');
      route.trafficPolicy = create(TrafficPolicySchema, {
        directResponse: { status: 200, body: new Uint8Array(1024 * 1024).fill(65 + i) },
      });
      return route;
    };
    const { port, pushes } = await startServer(cache);
    const { client } = startClient(port);
    await client.whenSynced();
    cache.updateResources(TypeUrl.Route, {
      set: Array.from(
        { length: 10 },
        (_, i) => [`ns-a/big${i}`, { message: big(i), gateways: [gatewayKey(gw)] }] as const,
      ),
    });
    await eventually(() => expect(client.resources(TypeUrl.Route).size).toBe(12));
    const bigPushes = pushes.filter((p) => p.resourceNames.some((n) => n.startsWith('ns-a/big')));
    expect(bigPushes.length).toBeGreaterThanOrEqual(4);
    for (const p of bigPushes) expect(p.bytes).toBeLessThan(4 * 1024 * 1024);
    expect(client.state).toBe('synced');
  });

  describe('authentication', () => {
    const review = (token: string) =>
      Promise.resolve(
        token === 'projected-token'
          ? {
              authenticated: true,
              user: { username: 'system:serviceaccount:ns-a:gw' },
              audiences: ['agentgateway'],
            }
          : { authenticated: false },
      );

    it('sends its bearer token and syncs when accepted', async () => {
      const cache = new XdsSnapshotCache();
      seed(cache);
      const { port, server } = await startServer(cache, {
        authenticate: createTokenReviewAuthenticator({ review }),
      });
      const { client } = startClient(port, { token: () => Promise.resolve('projected-token') });
      await client.whenSynced();
      expect(server.clients()[0]?.identity.username).toBe('system:serviceaccount:ns-a:gw');
    });

    it('keeps retrying, unsynced, when rejected', async () => {
      const cache = new XdsSnapshotCache();
      const { port } = await startServer(cache, { authenticate: createTokenReviewAuthenticator({ review }) });
      const { client } = startClient(port, { token: () => 'stolen' });
      const codes: number[] = [];
      client.on('disconnected', (s) => codes.push(s.code));
      await eventually(() => expect(codes.length).toBeGreaterThanOrEqual(2));
      expect(new Set(codes)).toEqual(new Set([status.UNAUTHENTICATED]));
      expect(client.state).toBe('connecting');
    });
  });
});
