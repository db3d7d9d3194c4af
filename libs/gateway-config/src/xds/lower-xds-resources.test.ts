import { create } from '@bufbuild/protobuf';
import { BackendSchema, McpPrefixMode } from '@agentplane/xds/v1/backend';
import { BindProtocol, BindSchema } from '@agentplane/xds/v1/bind';
import { ListenerProtocol, ListenerSchema } from '@agentplane/xds/v1/listener';
import { AuthorizationAction, PolicySchema } from '@agentplane/xds/v1/policy';
import { RouteSchema } from '@agentplane/xds/v1/route';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { lowerXdsResources, xdsResourceIssues, type XdsResourceSet } from './lower-xds-resources.js';

const bind = create(BindSchema, { key: 'bind/default/gw/8080', port: 8080, protocol: BindProtocol.HTTP });
const listener = create(ListenerSchema, {
  key: 'listener/default/gw/http',
  bindKey: bind.key,
  name: { gatewayName: 'gw', gatewayNamespace: 'default', listenerName: 'http' },
  protocol: ListenerProtocol.HTTP,
});
const backend = create(BackendSchema, {
  key: 'backend/default/tools',
  name: { namespace: 'default', name: 'tools' },
  kind: {
    case: 'mcp',
    value: {
      targets: [
        { name: 'everything', kind: { case: 'mcp', value: { host: '127.0.0.1', port: 3001, path: '/mcp' } } },
      ],
      prefixMode: McpPrefixMode.ALWAYS,
    },
  },
});
const route = create(RouteSchema, {
  key: 'route/default/mcp/0@default/gw/http',
  listenerKey: listener.key,
  name: { namespace: 'default', name: 'mcp', ruleName: '0', kind: 'HTTPRoute' },
  matches: [{ path: { kind: { case: 'prefix', value: '/mcp' } } }],
  backends: [{ backendKey: backend.key, weight: 1 }],
});
const policy = create(PolicySchema, {
  key: 'policy/default/deny/httproute/mcp',
  name: { namespace: 'default', name: 'deny' },
  target: { kind: { case: 'route', value: { namespace: 'default', name: 'mcp', kind: 'HTTPRoute' } } },
  backend: { mcpAuthorization: { action: AuthorizationAction.DENY, rules: ['mcp.tool.name == "echo"'] } },
});
const gatewayPolicy = create(PolicySchema, {
  key: 'policy/default/cors/gateway/gw',
  name: { namespace: 'default', name: 'cors' },
  target: { kind: { case: 'gateway', value: { namespace: 'default', name: 'gw' } } },
  traffic: { cors: { allowOrigins: ['*'], maxAge: { seconds: 5n, nanos: 0 } } },
});

const all: XdsResourceSet = {
  binds: [bind],
  listeners: [listener],
  routes: [route],
  backends: [backend],
  policies: [policy, gatewayPolicy],
};

describe('lowerXdsResources', () => {
  it('lowers binds, listeners, routes, MCP backends and targeted policies into the model', () => {
    const { model, warnings } = lowerXdsResources(all);
    expect(warnings).toEqual([]);
    const l = model.binds[0]?.listeners[0];
    expect(model.binds.map((b) => b.port)).toEqual([8080]);
    expect(l?.name).toBe('http');
    expect(l?.policies.cors).toMatchObject({ allowOrigins: ['*'], maxAgeSeconds: 5 });
    const r = l?.routes[0];
    expect(r?.matches[0]?.path).toEqual({ kind: 'prefix', value: '/mcp' });
    expect(r?.policies.mcpAuthorization).toEqual([{ effect: 'deny', expression: 'mcp.tool.name == "echo"' }]);
    expect(r?.backends[0]?.backend).toMatchObject({
      kind: 'mcp',
      key: 'backend/default/tools',
      prefixMode: 'always',
      targets: [
        { name: 'everything', transport: { kind: 'streamableHttp', url: 'http://127.0.0.1:3001/mcp' } },
      ],
    });
  });

  it('a route policy change leaves the MCP backend model identical (sessions are kept)', () => {
    const a = lowerXdsResources(all).model.binds[0]?.listeners[0]?.routes[0]?.backends[0]?.backend;
    const b = lowerXdsResources({ ...all, policies: [] }).model.binds[0]?.listeners[0]?.routes[0]?.backends[0]
      ?.backend;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('leaves out children whose parents are missing, with a warning', () => {
    const { model, warnings } = lowerXdsResources({ ...all, backends: [] });
    expect(model.binds[0]?.listeners[0]?.routes).toEqual([]);
    expect(warnings.join('\n')).toContain('backend/default/tools is not known');
  });

  it('rejects a resource that is invalid on its own, naming it', () => {
    const bad = create(RouteSchema, {
      key: route.key,
      listenerKey: listener.key,
      matches: [{ path: { kind: { case: 'regex', value: '(' } } }],
    });
    expect(() => lowerXdsResources({ ...all, routes: [bad] })).toThrow(ConfigError);
    expect(xdsResourceIssues(bad)).toContain(
      `${route.key}.matches[0].path.regex: invalid regular expression`,
    );
    expect(xdsResourceIssues(route)).toBeUndefined();
    const noTargets = create(BackendSchema, {
      key: backend.key,
      kind: { case: 'mcp', value: { targets: [] } },
    });
    expect(xdsResourceIssues(noTargets)).toContain('needs at least one target');
  });
});
