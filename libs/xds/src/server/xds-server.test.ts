import { status } from '@grpc/grpc-js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadAdsDefinition } from '../ads/ads-definition.js';
import type { AdsDefinition } from '../ads/ads-definition.js';
import type { DeltaDiscoveryResponse } from '../ads/wire-types.js';
import { gatewayKey, toWireNode } from '../node-identity.js';
import type { GatewayRef } from '../node-identity.js';
import { sampleBind, sampleMcpBackend, sampleRoute } from '../testing/fixtures.js';
import { openRawAdsStream } from '../testing/raw-ads-stream.js';
import type { RawAdsStream } from '../testing/raw-ads-stream.js';
import { TypeUrl } from '../type-urls.js';
import { createTokenReviewAuthenticator } from './authentication.js';
import type { XdsPushInfo } from './server-metrics.js';
import { XdsSnapshotCache } from './snapshot-cache.js';
import type { ResourceInput } from './snapshot-cache.js';
import { createXdsServer } from './xds-server.js';
import type { XdsServer, XdsServerOptions } from './xds-server.js';

const gwA: GatewayRef = { namespace: 'ns-a', name: 'gw' };
const gwB: GatewayRef = { namespace: 'ns-b', name: 'gw' };
const node = (gw: GatewayRef) => toWireNode({ id: `${gw.name}-0`, gateway: gw });

let ads: AdsDefinition;
beforeAll(() => {
  ads = loadAdsDefinition();
});

interface Harness {
  cache: XdsSnapshotCache;
  server: XdsServer;
  pushes: XdsPushInfo[];
  stale: string[];
  open(token?: string): RawAdsStream;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(options: Partial<XdsServerOptions> = {}): Promise<Harness> {
  const cache = new XdsSnapshotCache();
  const pushes: XdsPushInfo[] = [];
  const stale: string[] = [];
  const server = createXdsServer({
    cache,
    ads,
    metrics: { pushed: (p) => pushes.push(p), staleNonce: (_c, _t, nonce) => stale.push(nonce) },
    ...options,
  });
  const port = await server.listen('127.0.0.1:0');
  cleanups.push(() => server.close());
  return {
    cache,
    server,
    pushes,
    stale,
    open(token) {
      const s = openRawAdsStream({ address: `127.0.0.1:${port}`, ads, ...(token ? { token } : {}) });
      cleanups.push(() => s.close());
      return s;
    },
  };
}

function routes(...names: string[]): Array<[string, ResourceInput]> {
  return names.map((n) => [`ns-a/${n}`, { message: sampleRoute(gwA, n, 'ns-a/mcp') }]);
}

const namesOf = (r: DeltaDiscoveryResponse) => r.resources.map((x) => x.name).sort();

/** Polls until `check` passes or the deadline passes. */
async function eventually(check: () => void, ms = 3_000): Promise<void> {
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

describe('Delta ADS server', () => {
  it('treats an empty first subscribe as wildcard, and records the ACK', async () => {
    const h = await start();
    h.cache.setResources(TypeUrl.Route, routes('r1', 'r2'));
    const s = h.open();
    s.send({ node: node(gwA), type_url: TypeUrl.Route });
    const res = await s.next();
    expect(res.type_url).toBe(TypeUrl.Route);
    expect(res.nonce).not.toBe('');
    expect(namesOf(res)).toEqual(['ns-a/r1', 'ns-a/r2']);
    expect(res.resources[0]?.resource?.type_url).toBe(TypeUrl.Route);
    s.send({ type_url: TypeUrl.Route, response_nonce: res.nonce });
    await eventually(() => {
      const type = h.server.clients()[0]?.types[0];
      expect(type?.wildcard).toBe(true);
      expect(type?.pending).toBe(0);
      expect([...(type?.acked.keys() ?? [])].sort()).toEqual(['ns-a/r1', 'ns-a/r2']);
    });
  });

  it('answers an empty type with an empty response, so the client knows it is in sync', async () => {
    const h = await start();
    const s = h.open();
    s.send({ node: node(gwA), type_url: TypeUrl.Policy, resource_names_subscribe: ['*'] });
    const res = await s.next();
    expect(res.resources).toEqual([]);
    expect(res.removed_resources).toEqual([]);
  });

  it('serves explicit subscriptions only, reports absent names as removed, and adds later ones', async () => {
    const h = await start();
    h.cache.setResources(TypeUrl.Route, routes('r1', 'r2', 'r3'));
    const s = h.open();
    s.send({ node: node(gwA), type_url: TypeUrl.Route, resource_names_subscribe: ['ns-a/r1', 'ns-a/nope'] });
    const first = await s.next();
    expect(namesOf(first)).toEqual(['ns-a/r1']);
    expect(first.removed_resources).toEqual(['ns-a/nope']);
    s.send({ type_url: TypeUrl.Route, response_nonce: first.nonce });
    s.send({ type_url: TypeUrl.Route, resource_names_subscribe: ['ns-a/r2'] });
    const second = await s.next();
    expect(namesOf(second)).toEqual(['ns-a/r2']);
    s.send({ type_url: TypeUrl.Route, response_nonce: second.nonce });
    // Not subscribed: a change to r3 is not pushed. Unsubscribed r1: neither.
    s.send({ type_url: TypeUrl.Route, resource_names_unsubscribe: ['ns-a/r1'] });
    await eventually(() =>
      expect([...(h.server.clients()[0]?.types[0]?.subscribed ?? [])].sort()).toEqual([
        'ns-a/nope',
        'ns-a/r2',
      ]),
    );
    h.cache.updateResources(TypeUrl.Route, {
      set: [
        ['ns-a/r3', { message: sampleRoute(gwA, 'r3', 'ns-a/other') }],
        ['ns-a/r1', { message: sampleRoute(gwA, 'r1', 'ns-a/other') }],
      ],
    });
    expect(await s.nextOrNothing(200)).toBeUndefined();
  });

  it('records a NACK, keeps the last ACKed state, and does not resend the rejected version', async () => {
    const h = await start();
    h.cache.setResources(TypeUrl.Route, routes('r1', 'r2'));
    const s = h.open();
    s.send({ node: node(gwA), type_url: TypeUrl.Route, resource_names_subscribe: ['*'] });
    const first = await s.next();
    s.send({ type_url: TypeUrl.Route, response_nonce: first.nonce });
    const v1 = first.resources.find((r) => r.name === 'ns-a/r1')?.version;

    h.cache.updateResources(TypeUrl.Route, {
      set: [['ns-a/r1', { message: sampleRoute(gwA, 'r1', 'ns-a/bad') }]],
    });
    const bad = await s.next();
    expect(namesOf(bad)).toEqual(['ns-a/r1']);
    const v2 = bad.resources[0]?.version;
    s.send({
      type_url: TypeUrl.Route,
      response_nonce: bad.nonce,
      error_detail: { code: 3, message: 'backend ns-a/bad is unknown' },
    });
    await eventually(() => {
      const type = h.server.clients()[0]?.types[0];
      expect(type?.lastNack?.message).toBe('backend ns-a/bad is unknown');
      expect(type?.lastNack?.nonce).toBe(bad.nonce);
      expect(type?.nacked.get('ns-a/r1')).toBe(v2);
      expect(type?.acked.get('ns-a/r1')).toBe(v1);
    });

    // Another change: only r2 is pushed, not the rejected r1 again.
    h.cache.updateResources(TypeUrl.Route, {
      set: [['ns-a/r2', { message: sampleRoute(gwA, 'r2', 'ns-a/x') }]],
    });
    const next = await s.next();
    expect(namesOf(next)).toEqual(['ns-a/r2']);
    s.send({ type_url: TypeUrl.Route, response_nonce: next.nonce });
    // A fixed r1 is pushed.
    h.cache.updateResources(TypeUrl.Route, {
      set: [['ns-a/r1', { message: sampleRoute(gwA, 'r1', 'ns-a/good') }]],
    });
    const fixed = await s.next();
    expect(namesOf(fixed)).toEqual(['ns-a/r1']);
    s.send({ type_url: TypeUrl.Route, response_nonce: fixed.nonce });
    await eventually(() => {
      const type = h.server.clients()[0]?.types[0];
      expect(type?.acked.get('ns-a/r1')).toBe(fixed.resources[0]?.version);
      expect(type?.nacked.size).toBe(0);
    });
  });

  it('ignores a stale nonce for ACK purposes but still applies its subscription changes', async () => {
    const h = await start();
    h.cache.setResources(TypeUrl.Route, routes('r1', 'r2'));
    const s = h.open();
    s.send({ node: node(gwA), type_url: TypeUrl.Route, resource_names_subscribe: ['ns-a/r1'] });
    const first = await s.next();
    s.send({ type_url: TypeUrl.Route, response_nonce: first.nonce });
    s.send({ type_url: TypeUrl.Route, response_nonce: 'stale-123', resource_names_subscribe: ['ns-a/r2'] });
    const second = await s.next();
    expect(namesOf(second)).toEqual(['ns-a/r2']);
    expect(h.stale).toEqual(['stale-123']);
    // A repeated ACK of an answered nonce is stale as well and changes nothing.
    s.send({
      type_url: TypeUrl.Route,
      response_nonce: first.nonce,
      error_detail: { code: 3, message: 'late' },
    });
    await eventually(() => expect(h.stale).toEqual(['stale-123', first.nonce]));
    expect(h.server.clients()[0]?.types[0]?.lastNack).toBeUndefined();
  });

  it('skips resources whose initial_resource_versions match, and removes what is gone', async () => {
    const h = await start();
    h.cache.setResources(TypeUrl.Route, routes('r1', 'r2', 'r3'));
    const s1 = h.open();
    s1.send({ node: node(gwA), type_url: TypeUrl.Route });
    const world = await s1.next();
    s1.send({ type_url: TypeUrl.Route, response_nonce: world.nonce });
    const versions = Object.fromEntries(world.resources.map((r) => [r.name, r.version]));
    s1.close();
    await eventually(() => expect(h.server.clients()).toEqual([]));

    // While the client is away: r2 changes, r3 goes.
    h.cache.setResources(TypeUrl.Route, [
      ...routes('r1'),
      ['ns-a/r2', { message: sampleRoute(gwA, 'r2', 'ns-a/v2') }],
    ]);
    h.pushes.length = 0;
    const s2 = h.open();
    s2.send({ node: node(gwA), type_url: TypeUrl.Route, initial_resource_versions: versions });
    const res = await s2.next();
    expect(namesOf(res)).toEqual(['ns-a/r2']);
    expect(res.removed_resources).toEqual(['ns-a/r3']);
    expect(h.pushes.map((p) => p.resourceNames)).toEqual([['ns-a/r2']]);
  });

  it('sends removals in removed_resources', async () => {
    const h = await start();
    h.cache.setResources(TypeUrl.Route, routes('r1', 'r2'));
    const s = h.open();
    s.send({ node: node(gwA), type_url: TypeUrl.Route });
    const first = await s.next();
    s.send({ type_url: TypeUrl.Route, response_nonce: first.nonce });
    h.cache.updateResources(TypeUrl.Route, { remove: ['ns-a/r1'] });
    const res = await s.next();
    expect(res.resources).toEqual([]);
    expect(res.removed_resources).toEqual(['ns-a/r1']);
  });

  it('filters by the gateway named in node metadata', async () => {
    const h = await start();
    const a = gatewayKey(gwA);
    const b = gatewayKey(gwB);
    h.cache.setResources(TypeUrl.Bind, [['ns-a/gw/8080', { message: sampleBind(gwA, 8080), gateways: [a] }]]);
    h.cache.setResources(TypeUrl.Route, [
      ['ns-a/r', { message: sampleRoute(gwA, 'r', 'shared'), gateways: [a] }],
      ['ns-b/r', { message: sampleRoute(gwB, 'r', 'shared'), gateways: [b] }],
    ]);
    h.cache.setResources(TypeUrl.Backend, [['shared', { message: sampleMcpBackend('ns-a', 'shared') }]]);
    const sa = h.open();
    const sb = h.open();
    for (const [s, gw] of [
      [sa, gwA],
      [sb, gwB],
    ] as const) {
      s.send({ node: node(gw), type_url: TypeUrl.Route });
      s.send({ type_url: TypeUrl.Backend });
    }
    const got = async (s: RawAdsStream) => {
      const out: Record<string, string[]> = {};
      for (let i = 0; i < 2; i++) {
        const r = await s.next();
        out[r.type_url] = namesOf(r);
        s.send({ type_url: r.type_url, response_nonce: r.nonce });
      }
      return out;
    };
    expect(await got(sa)).toEqual({ [TypeUrl.Route]: ['ns-a/r'], [TypeUrl.Backend]: ['shared'] });
    expect(await got(sb)).toEqual({ [TypeUrl.Route]: ['ns-b/r'], [TypeUrl.Backend]: ['shared'] });
    // Moving a route to gateway B removes it from A and adds it to B.
    h.cache.updateResources(TypeUrl.Route, {
      set: [['ns-a/r', { message: sampleRoute(gwA, 'r', 'shared'), gateways: [b] }]],
    });
    const ra = await sa.next();
    expect(ra.removed_resources).toEqual(['ns-a/r']);
    const rb = await sb.next();
    expect(namesOf(rb)).toEqual(['ns-a/r']);
  });

  describe('authentication', () => {
    const review = (token: string) =>
      Promise.resolve(
        token === 'good-a'
          ? {
              authenticated: true,
              user: { username: 'system:serviceaccount:ns-a:gw' },
              audiences: ['agentgateway'],
            }
          : token === 'other-audience'
            ? { authenticated: true, user: { username: 'system:serviceaccount:ns-a:gw' }, audiences: ['api'] }
            : { authenticated: false, error: 'invalid bearer token' },
      );

    it('rejects a client without a token, with a bad token, or for the wrong audience', async () => {
      const h = await start({ authenticate: createTokenReviewAuthenticator({ review }) });
      for (const token of [undefined, 'forged', 'other-audience']) {
        const s = h.open(token);
        s.send({ node: node(gwA), type_url: TypeUrl.Route });
        const st = await s.status;
        expect(st.code).toBe(status.UNAUTHENTICATED);
      }
      expect(h.pushes).toEqual([]);
    });

    it('serves an authenticated client its own namespace only', async () => {
      const h = await start({ authenticate: createTokenReviewAuthenticator({ review }) });
      h.cache.setResources(TypeUrl.Route, routes('r1'));
      const ok = h.open('good-a');
      ok.send({ node: node(gwA), type_url: TypeUrl.Route });
      expect(namesOf(await ok.next())).toEqual(['ns-a/r1']);
      expect(h.server.clients()[0]?.identity.serviceAccount).toEqual({ namespace: 'ns-a', name: 'gw' });
      const denied = h.open('good-a');
      denied.send({ node: node(gwB), type_url: TypeUrl.Route });
      expect((await denied.status).code).toBe(status.PERMISSION_DENIED);
    });
  });
});
