import { create } from '@bufbuild/protobuf';
import { BackendSchema, McpPrefixMode } from '@agentplane/xds/v1/backend';
import { BindProtocol, BindSchema } from '@agentplane/xds/v1/bind';
import { ListenerProtocol, ListenerSchema } from '@agentplane/xds/v1/listener';
import { AuthorizationAction, GuardAction, PolicySchema } from '@agentplane/xds/v1/policy';
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

describe('lowerXdsResources: LLM policies', () => {
  const ai = create(BackendSchema, {
    key: 'backend/default/llm',
    name: { namespace: 'default', name: 'llm' },
    kind: {
      case: 'ai',
      value: {
        groups: [
          { providers: [{ name: 'primary', kind: { case: 'openai', value: { model: 'gpt-4o-mini' } } }] },
        ],
      },
    },
  });
  const llmRoute = create(RouteSchema, {
    key: 'route/default/llm/0@default/gw/http',
    listenerKey: listener.key,
    name: { namespace: 'default', name: 'llm', ruleName: '0', kind: 'HTTPRoute' },
    matches: [{ path: { kind: { case: 'prefix', value: '/v1' } } }],
    backends: [{ backendKey: ai.key, weight: 1 }],
  });
  // The backend's own policies (AgentgatewayBackend spec.policies): AWS signing with credentials.
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
            accessKeyId: 'AKID',
            secretAccessKey: 'SECRET',
            sessionToken: 'TOKEN',
          },
        },
      },
      ai: { modelAliases: { fast: 'gpt-4o-mini' } },
    },
  });
  // A policy on the provider (sectionName): prompt guards and routes.
  const guards = create(PolicySchema, {
    key: 'policy/default/guards/backend/llm/primary',
    name: { namespace: 'default', name: 'guards' },
    target: {
      kind: { case: 'backend', value: { namespace: 'default', name: 'llm', sectionName: 'primary' } },
    },
    backend: {
      ai: {
        routes: { '/v1/chat/completions': 'completions', '*': 'passthrough' },
        promptGuard: {
          streaming: true,
          request: [
            {
              kind: {
                case: 'webhook',
                value: {
                  host: 'guard.default.svc.cluster.local',
                  port: 8080,
                  headers: { 'x-team': 'request.headers["x-team"]' },
                  forwardHeaderMatches: [
                    { name: 'x-user', value: { case: 'exact', value: 'alice' } },
                    { name: 'x-trace', value: { case: 'regex', value: 'abc-[0-9]+' } },
                  ],
                  failOpen: true,
                },
              },
            },
            {
              kind: {
                case: 'regex',
                value: { builtins: ['email'], patterns: ['secret-[0-9]+'], action: GuardAction.REJECT },
              },
              rejection: { status: 422, body: new TextEncoder().encode('no secrets') },
            },
          ],
          response: [{ kind: { case: 'openaiModeration', value: { model: 'omni-moderation-latest' } } }],
        },
      },
    },
  });
  const set: XdsResourceSet = {
    binds: [bind],
    listeners: [listener],
    routes: [llmRoute],
    backends: [ai],
    policies: [own, guards],
  };

  it('gives each AI provider the backend’s AWS credentials and the prompt guards, routes and aliases', () => {
    const { model } = lowerXdsResources(set);
    const r = model.binds[0]?.listeners[0]?.routes[0];
    const b = r?.backends[0]?.backend;
    expect(b?.kind).toBe('ai');
    if (b?.kind !== 'ai') return;
    expect(b.spec).toMatchObject({
      name: 'primary',
      provider: { openAI: { model: 'gpt-4o-mini' } },
      policies: {
        backendAuth: {
          aws: {
            region: 'eu-west-1',
            serviceName: 'bedrock',
            accessKeyId: 'AKID',
            secretAccessKey: 'SECRET',
            sessionToken: 'TOKEN',
          },
        },
        ai: {
          routes: { '/v1/chat/completions': 'completions', '*': 'passthrough' },
          promptGuard: {
            streaming: 'Enabled',
            request: [
              {
                webhook: {
                  target: { host: 'guard.default.svc.cluster.local:8080' },
                  headers: { 'x-team': 'request.headers["x-team"]' },
                  forwardHeaderMatches: [
                    { name: 'x-user', value: { exact: 'alice' } },
                    { name: 'x-trace', value: { regex: 'abc-[0-9]+' } },
                  ],
                  failureMode: 'failOpen',
                },
              },
              {
                regex: { action: 'reject', rules: [{ builtin: 'email' }, { pattern: 'secret-[0-9]+' }] },
                rejection: { status: 422, body: 'no secrets' },
              },
            ],
            response: [{ openAIModeration: { model: 'omni-moderation-latest' } }],
          },
        },
      },
    });
    // The section policy's `ai` wins over the backend's own as a whole field, as at every level.
    expect(b.spec).not.toHaveProperty('policies.ai.modelAliases');
    // The backend's credentials and ai policy are not also put on the route (where they would
    // outrank the provider's more specific ones).
    expect(r?.policies.backendAuth).toBeUndefined();
    expect(r?.policies.ai).toBeUndefined();
  });

  it('without a section policy, the backend’s own ai policy reaches its providers', () => {
    const { model } = lowerXdsResources({ ...set, policies: [own] });
    const b = model.binds[0]?.listeners[0]?.routes[0]?.backends[0]?.backend;
    expect(b?.kind === 'ai' && b.spec).toMatchObject({
      policies: { ai: { modelAliases: { fast: 'gpt-4o-mini' } } },
    });
  });

  it('rejects AWS signing outside AI backends, a per-guard moderation key and a bad header regex', () => {
    const onRoute = create(PolicySchema, {
      name: own.name,
      backend: own.backend,
      key: 'policy/default/aws/httproute/llm',
      target: { kind: { case: 'route', value: { namespace: 'default', name: 'llm', kind: 'HTTPRoute' } } },
    });
    expect(() => lowerXdsResources({ ...set, policies: [onRoute] })).toThrow(
      'policy/default/aws/httproute/llm.backend.backendAuth.aws: AWS request signing applies to AI backends only',
    );
    const onMcp = create(PolicySchema, {
      name: own.name,
      backend: own.backend,
      key: 'policy/default/aws/backend/tools',
      target: { kind: { case: 'backend', value: { namespace: 'default', name: 'tools' } } },
    });
    expect(() => lowerXdsResources({ ...all, policies: [onMcp] })).toThrow('AWS request signing applies');
    const keyed = create(PolicySchema, {
      key: guards.key,
      name: guards.name,
      target: guards.target,
      backend: {
        ai: {
          promptGuard: {
            request: [
              { kind: { case: 'openaiModeration', value: { model: '', apiKey: 'sk-x' } } },
              {
                kind: {
                  case: 'webhook',
                  value: {
                    host: 'h',
                    port: 1,
                    forwardHeaderMatches: [{ name: 'a', value: { case: 'regex', value: '(' } }],
                  },
                },
              },
            ],
          },
        },
      },
    });
    const issues = xdsResourceIssues(keyed) ?? '';
    expect(issues).toContain(`${guards.key}.backend.ai.promptGuard.request[0].openaiModeration.apiKey`);
    expect(issues).toContain(
      `${guards.key}.backend.ai.promptGuard.request[1].webhook.forwardHeaderMatches[0].regex: invalid regular expression`,
    );
    expect(issues).not.toContain('sk-x');
    expect(xdsResourceIssues(guards)).toBeUndefined();
  });
});
