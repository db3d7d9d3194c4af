import { describe, expect, it } from 'vitest';
import { translateGateways } from './translate-gateways.js';
import type { TranslateOutput } from './translate-output.js';
import { caseFile, inputFromYaml, readCase, renderOutput, withBase } from './testdata/load-case.js';

const NOW = new Date('2026-01-02T03:04:05Z');

function run(name: string): TranslateOutput {
  return translateGateways(readCase(name), { now: NOW });
}

function routeParents(out: TranslateOutput, name: string) {
  const s = out.statuses.httpRoutes.find((r) => r.name === name);
  if (!s) throw new Error(`no status for HTTPRoute ${name}`);
  return s.status.parents;
}

function condition(conditions: readonly { type: string; status: string; reason: string }[], type: string) {
  const c = conditions.find((x) => x.type === type);
  return c ? `${c.status}/${c.reason}` : 'absent';
}

const cases = [
  'mcp-static',
  'service-backend',
  'cross-namespace',
  'missing-backend',
  'hostname-mismatch',
  'policy-mcp-authorization',
  'policy-missing-target',
  'policy-ai',
  'two-gateways',
];

describe('golden cases', () => {
  it.each(cases)('%s matches expected.yaml', async (name) => {
    await expect(renderOutput(run(name))).toMatchFileSnapshot(caseFile(name, 'expected.yaml'));
  });
});

describe('translateGateways', () => {
  it('programs an MCP backend with static targets behind a route', () => {
    const out = run('mcp-static');
    expect(out.statuses.gatewayClasses).toEqual([expect.objectContaining({ name: 'agentgateway' })]);
    const gw = out.statuses.gateways[0];
    expect(condition(gw?.status.conditions ?? [], 'Accepted')).toBe('True/Accepted');
    expect(condition(gw?.status.conditions ?? [], 'Programmed')).toBe('True/Programmed');
    expect(gw?.status.addresses).toEqual([{ type: 'IPAddress', value: '10.96.0.10' }]);
    expect(gw?.status.listeners[0]?.attachedRoutes).toBe(1);
    expect(out.resources.binds.map((b) => [b.key, b.message.port])).toEqual([['bind/default/gw/8080', 8080]]);
    const backend = out.resources.backends[0]?.message;
    expect(backend?.kind.case).toBe('mcp');
    if (backend?.kind.case !== 'mcp') return;
    const targets = backend.kind.value.targets.map((t) =>
      t.kind.case === 'mcp' || t.kind.case === 'sse'
        ? [t.name, t.kind.case, t.kind.value.port, t.kind.value.path]
        : [t.name, t.kind.case],
    );
    expect(targets).toEqual([
      ['everything', 'mcp', 3001, '/mcp'],
      ['memory', 'sse', 3002, '/sse'],
    ]);
    const route = out.resources.routes[0];
    expect(route?.key).toBe('route/default/mcp/mcp@default/gw/http');
    expect(route?.message.backends.map((b) => b.backendKey)).toEqual(['backend/default/tools']);
    expect(route?.gateways).toEqual(['default/gw']);
  });

  it('resolves a Service backendRef to its cluster DNS name and port', () => {
    const out = run('service-backend');
    expect(out.resources.backends).toHaveLength(1);
    const b = out.resources.backends[0];
    expect(b?.key).toBe('service/default/echo:8080');
    expect(b?.message.kind).toMatchObject({
      case: 'static',
      value: { host: 'echo.default.svc.cluster.local', port: 8080 },
    });
    expect(out.resources.routes[0]?.message.hostnames).toEqual(['echo.example.com']);
    expect(out.resources.routes[0]?.message.backends[0]?.weight).toBe(3);
  });

  it('allows a cross-namespace backendRef only with a ReferenceGrant', () => {
    const out = run('cross-namespace');
    expect(condition(routeParents(out, 'granted')[0]?.conditions ?? [], 'ResolvedRefs')).toBe(
      'True/ResolvedRefs',
    );
    expect(condition(routeParents(out, 'denied')[0]?.conditions ?? [], 'ResolvedRefs')).toBe(
      'False/RefNotPermitted',
    );
    expect(condition(routeParents(out, 'denied')[0]?.conditions ?? [], 'Accepted')).toBe('True/Accepted');
    // gw only admits routes from its own namespace.
    expect(condition(routeParents(out, 'same-namespace-only')[0]?.conditions ?? [], 'Accepted')).toBe(
      'False/NotAllowedByListeners',
    );
    expect(out.resources.backends.map((b) => b.key)).toEqual(['backend/tools/search']);
    const denied = out.resources.routes.find((r) => r.message.name?.name === 'denied');
    expect(denied?.message.backends).toEqual([]);
    expect(denied?.message.trafficPolicy?.directResponse?.status).toBe(500);
  });

  it('says in Programmed why a Gateway’s workload could not be provisioned, and keeps its config', () => {
    const failures = new Map([
      ['default/gw', { reason: 'Invalid' as const, message: 'spec.logging.format is not supported yet' }],
    ]);
    const out = translateGateways(readCase('mcp-static'), { now: NOW, provisioningFailures: failures });
    const conditions = out.statuses.gateways[0]?.status.conditions ?? [];
    expect(condition(conditions, 'Accepted')).toBe('True/Accepted');
    expect(condition(conditions, 'Programmed')).toBe('False/Invalid');
    expect(conditions.find((c) => c.type === 'Programmed')?.message).toBe(
      'gateway workload not provisioned: spec.logging.format is not supported yet',
    );
    // The gateways that do run keep receiving their configuration.
    expect(out.resources.routes).toEqual(run('mcp-static').resources.routes);
  });

  it('reports BackendNotFound and InvalidKind, and answers 500 for those rules', () => {
    const out = run('missing-backend');
    const parent = routeParents(out, 'broken')[0];
    expect(condition(parent?.conditions ?? [], 'ResolvedRefs')).toBe('False/BackendNotFound');
    expect(parent?.conditions.find((c) => c.type === 'ResolvedRefs')?.message).toContain('Bucket');
    expect(parent?.conditions[0]?.observedGeneration).toBe(4);
    expect(out.resources.routes).toHaveLength(2);
    for (const r of out.resources.routes) expect(r.message.trafficPolicy?.directResponse?.status).toBe(500);
    expect(out.resources.backends).toEqual([]);
  });

  it('rejects routes whose hostnames miss the listener, and conflicted listeners', () => {
    const out = run('hostname-mismatch');
    expect(condition(routeParents(out, 'elsewhere')[0]?.conditions ?? [], 'Accepted')).toBe(
      'False/NoMatchingListenerHostname',
    );
    expect(condition(routeParents(out, 'matching')[0]?.conditions ?? [], 'Accepted')).toBe('True/Accepted');
    expect(condition(routeParents(out, 'to-conflicted')[0]?.conditions ?? [], 'Accepted')).toBe(
      'False/NotAllowedByListeners',
    );
    expect(condition(routeParents(out, 'no-such-section')[0]?.conditions ?? [], 'Accepted')).toBe(
      'False/NoMatchingParent',
    );
    expect(out.resources.routes.map((r) => r.message.hostnames)).toEqual([['a.example.com']]);
    const gw = out.statuses.gateways[0]?.status;
    expect(condition(gw?.conditions ?? [], 'Accepted')).toBe('True/ListenersNotValid');
    expect(condition(gw?.conditions ?? [], 'Programmed')).toBe('False/AddressNotAssigned');
    const dup = gw?.listeners.find((l) => l.name === 'dup-a');
    expect(condition(dup?.conditions ?? [], 'Conflicted')).toBe('True/HostnameConflict');
    expect(out.resources.listeners.map((l) => l.key)).toEqual(['listener/default/web/wildcard']);
    expect(gw?.listeners.find((l) => l.name === 'wildcard')?.attachedRoutes).toBe(1);
  });

  it('sends a CEL mcpAuthorization policy targeting a route to the route’s gateways', () => {
    const out = run('policy-mcp-authorization');
    const p = out.resources.policies.find((x) => x.key === 'policy/default/tool-access/httproute/mcp');
    expect(p?.gateways).toEqual(['default/gw']);
    expect(p?.message.target?.kind).toMatchObject({
      case: 'route',
      value: { name: 'mcp', kind: 'HTTPRoute' },
    });
    expect(p?.message.backend?.mcpAuthorization?.rules).toEqual([
      'mcp.tool.name == "echo"',
      'jwt.sub == "test-user" && mcp.tool.name == "get-sum"',
    ]);
    const status = out.statuses.policies.find((s) => s.name === 'tool-access')?.status.ancestors;
    expect(status?.map((a) => condition(a.conditions, 'Accepted'))).toEqual(['True/Accepted']);
    const own = out.resources.policies.find((x) => x.key === 'backend-policy/default/tools');
    expect(own?.message.backend?.mcpAuthentication?.issuer).toBe('https://idp.example.com');
    const edge = out.resources.policies.find((x) => x.key === 'policy/default/edge/gateway/gw/http');
    expect(edge?.message.target?.kind.case).toBe('listener');
    expect(edge?.message.traffic?.apiKey?.keys.map((k) => k.key)).toEqual(['k-alice-456', 'k-ci-123']);
    expect(edge?.message.traffic?.localRateLimit[0]?.maxTokens).toBe(15n);
  });

  it('reports a policy target that is missing, and rejects unsupported policy fields', () => {
    const out = run('policy-missing-target');
    expect(out.resources.policies).toEqual([]);
    const orphan = out.statuses.policies.find((s) => s.name === 'orphan')?.status.ancestors ?? [];
    expect(orphan.map((a) => condition(a.conditions, 'Accepted'))).toEqual([
      'False/TargetNotFound',
      'False/TargetNotFound',
      'False/Invalid',
    ]);
    expect(orphan[0]?.conditions[0]?.message).toBe('HTTPRoute default/not-there not found');
    const unsupported = out.statuses.policies.find((s) => s.name === 'unsupported')?.status.ancestors ?? [];
    expect(unsupported[0]?.conditions[0]?.message).toContain('spec.traffic.extAuth is not supported');
  });

  it('scopes each resource to the gateways that use it', () => {
    const out = run('two-gateways');
    const scope = (list: readonly { key: string; gateways: readonly string[] }[]) =>
      Object.fromEntries(list.map((r) => [r.key, r.gateways.join(',')]));
    expect(scope(out.resources.binds)).toEqual({
      'bind/default/gw-b/8080': 'default/gw-b',
      'bind/default/gw/8080': 'default/gw',
    });
    expect(scope(out.resources.routes)).toEqual({
      'route/default/route-a/0@default/gw/http': 'default/gw',
      'route/default/route-b/0@default/gw-b/http': 'default/gw-b',
      'route/default/route-b/1@default/gw-b/http': 'default/gw-b',
    });
    expect(scope(out.resources.backends)).toEqual({
      'backend/default/agent': 'default/gw-b',
      'backend/default/llm': 'default/gw,default/gw-b',
    });
    expect(scope(out.resources.policies)).toEqual({
      'backend-policy/default/llm': 'default/gw,default/gw-b',
    });
    // The key from the Secret is carried, never put in status.
    const llm = out.resources.policies[0]?.message.backend?.backendAuth?.kind;
    expect(llm).toEqual({ case: 'key', value: 'sk-test-key' });
    expect(JSON.stringify(out.statuses)).not.toContain('sk-test-key');
    // Another controller's gateway is neither translated nor given status.
    expect(out.statuses.gateways.map((g) => g.name)).toEqual(['gw', 'gw-b']);
    expect(routeParents(out, 'route-b').map((p) => p.parentRef.name)).toEqual(['gw-b']);
  });

  it('carries LLM policies: webhook headers and header matches, AWS credentials from a Secret, routes', () => {
    const out = run('policy-ai');
    const guard = out.resources.policies.find((p) => p.key === 'policy/default/guardrails/backend/bedrock')
      ?.message.backend?.ai;
    const webhook = guard?.promptGuard?.request[0]?.kind;
    expect(webhook?.case).toBe('webhook');
    if (webhook?.case !== 'webhook') return;
    expect(webhook.value).toMatchObject({
      host: 'guard.default.svc.cluster.local',
      port: 8080,
      headers: { 'x-team': 'request.headers["x-team"]', ':path': '"/guard"' },
      failOpen: true,
    });
    expect(webhook.value.forwardHeaderMatches.map((m) => [m.name, m.value.case, m.value.value])).toEqual([
      ['x-user', 'exact', 'alice'],
      ['x-trace', 'regex', 'abc-[0-9]+'],
    ]);
    expect(guard?.promptGuard?.streaming).toBe(true);
    expect(guard?.promptGuard?.request[1]?.rejection?.status).toBe(422);
    expect(guard?.routes).toEqual({ '/v1/chat/completions': 'completions', '*': 'passthrough' });
    const aws = out.resources.policies.find((p) => p.key === 'backend-policy/default/bedrock')?.message
      .backend?.backendAuth?.kind;
    expect(aws).toMatchObject({
      case: 'aws',
      value: {
        region: 'eu-west-1',
        serviceName: 'bedrock',
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI',
        sessionToken: 'token-1',
      },
    });
    expect(JSON.stringify(out.statuses)).not.toContain('wJalrXUtnFEMI');
    // What the gateway does not implement is named in the policy's status, never dropped.
    const bad = out.statuses.policies.find((s) => s.name === 'unsupported-ai')?.status.ancestors[0];
    expect(condition(bad?.conditions ?? [], 'Accepted')).toBe('False/Invalid');
    const message = bad?.conditions[0]?.message ?? '';
    for (const field of [
      'spec.backend.ai.promptCaching',
      'spec.backend.ai.transformations',
      'spec.backend.ai.promptGuard.request[0].openAIModeration.policies',
      'spec.backend.ai.promptGuard.request[1].scope',
      'spec.backend.auth.aws: AWS request signing applies to AI backends only',
    ])
      expect(message).toContain(field);
    expect(message).not.toContain('sk-moderation');
    expect(out.resources.policies.map((p) => p.key)).not.toContain(
      'policy/default/unsupported-ai/httproute/llm',
    );
  });

  it('resolves a webhook on an AgentgatewayBackend, and names missing AWS Secret keys and misplaced AWS auth', () => {
    const objects = (webhookRegex: string) => `
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: guard, namespace: default}
spec: {static: {host: 127.0.0.1, port: 9000}}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: llm, namespace: default}
spec:
  ai: {provider: {openai: {}}}
  policies:
    auth: {aws: {secretRef: {name: half}}}
---
apiVersion: v1
kind: Secret
metadata: {name: half, namespace: default}
stringData: {accessKey: AKID}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: tools, namespace: default}
spec:
  mcp: {targets: [{name: t, static: {host: h, port: 1}}]}
  policies:
    auth: {aws: {}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
    - backendRefs:
        - {group: agentgateway.dev, kind: AgentgatewayBackend, name: llm}
        - {group: agentgateway.dev, kind: AgentgatewayBackend, name: tools}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayPolicy
metadata: {name: hook, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r}]
  backend:
    ai:
      promptGuard:
        request:
          - webhook:
              backendRef: {group: agentgateway.dev, kind: AgentgatewayBackend, name: guard}
              forwardHeaderMatches: [{name: x-a, type: RegularExpression, value: '${webhookRegex}'}]
`;
    const out = translateGateways(withBase(objects('(unclosed')), { now: NOW });
    const backendMessage = (name: string) =>
      out.statuses.backends.find((b) => b.name === name)?.status.conditions[0]?.message ?? '';
    expect(backendMessage('llm')).toBe(
      'spec.policies.auth.aws.secretRef: Secret default/half has no secretKey',
    );
    expect(backendMessage('tools')).toContain('spec.policies.auth.aws: AWS request signing applies to AI');
    const hook = () =>
      out.statuses.policies.find((s) => s.name === 'hook')?.status.ancestors[0]?.conditions[0];
    expect(hook()?.message).toMatch(
      /^spec\.backend\.ai\.promptGuard\.request\[0\]\.webhook\.forwardHeaderMatches\[0\]\.value: invalid regular expression/,
    );

    // With a valid regex, the webhook on the static AgentgatewayBackend is its host and port.
    const fixed = translateGateways(withBase(objects('team-[a-z]+')), { now: NOW });
    const rule = fixed.resources.policies.find((p) => p.key === 'policy/default/hook/httproute/r')?.message
      .backend?.ai?.promptGuard?.request[0]?.kind;
    expect(rule).toMatchObject({
      case: 'webhook',
      value: { host: '127.0.0.1', port: 9000, failOpen: false },
    });
  });

  it('terminates TLS on HTTPS listeners with a Secret, and needs a ReferenceGrant for another namespace', () => {
    const out = translateGateways(
      inputFromYaml(`
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: agentgateway}
spec: {controllerName: agentgateway.dev/agentgateway}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: tls, namespace: default}
spec:
  gatewayClassName: agentgateway
  listeners:
    - name: local
      protocol: HTTPS
      port: 443
      hostname: a.example.com
      tls: {certificateRefs: [{name: a-cert}]}
    - name: remote
      protocol: HTTPS
      port: 443
      hostname: b.example.com
      tls: {certificateRefs: [{name: b-cert, namespace: certs}]}
---
apiVersion: v1
kind: Secret
metadata: {name: a-cert, namespace: default}
stringData: {tls.crt: CERT, tls.key: KEY}
---
apiVersion: v1
kind: Secret
metadata: {name: b-cert, namespace: certs}
stringData: {tls.crt: CERT, tls.key: KEY}
`),
      { now: NOW },
    );
    const listeners = out.statuses.gateways[0]?.status.listeners ?? [];
    expect(listeners.map((l) => condition(l.conditions, 'ResolvedRefs'))).toEqual([
      'True/ResolvedRefs',
      'False/RefNotPermitted',
    ]);
    expect(out.resources.listeners).toHaveLength(1);
    const tls = out.resources.listeners[0]?.message.tls;
    expect(Buffer.from(tls?.certChain ?? []).toString()).toBe('CERT');
    expect(Buffer.from(tls?.privateKey ?? []).toString()).toBe('KEY');
    expect(JSON.stringify(out.statuses)).not.toContain('KEY');
  });
});
