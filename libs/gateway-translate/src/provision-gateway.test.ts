import type { AgentgatewayParameters } from '@agentplane/crds';
import { describe, expect, it } from 'vitest';
import { provisionGateway, XDS_TOKEN_PATH } from './provision-gateway.js';
import type { ProvisionOptions } from './provision-gateway.js';
import { inputFromYaml } from './testdata/load-case.js';

const input = inputFromYaml(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: team-a, uid: 5f0c1e01-0b0d-4a53-9a55-5d2b2f0c1e01}
spec:
  gatewayClassName: agentgateway
  infrastructure:
    parametersRef: {group: agentgateway.dev, kind: AgentgatewayParameters, name: big}
  listeners:
    - {name: http, protocol: HTTP, port: 80}
    - {name: mcp, protocol: HTTP, port: 3000}
    - {name: mcp-b, protocol: HTTP, port: 3000, hostname: b.example.com}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayParameters
metadata: {name: class-defaults, namespace: agentplane-system}
spec:
  image: {registry: registry.example.com, tag: "1.2.3"}
  env: [{name: LOG_LEVEL, value: info}, {name: EXTRA, value: one}]
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayParameters
metadata: {name: big, namespace: team-a}
spec:
  env: [{name: EXTRA, value: two}]
  resources:
    requests: {cpu: 250m, memory: 128Mi}
  rawConfig:
    logging: {level: debug}
    tracing: {otlpEndpoint: "http://otel:4318"}
  deployment:
    spec: {replicas: 3}
  service:
    metadata:
      annotations: {example.com/lb: internal}
    spec: {type: ClusterIP}
`);
const gateway = input.gateways?.[0];
const params = [...(input.parameters ?? [])] as AgentgatewayParameters[];
if (!gateway) throw new Error('no gateway');

const options: ProvisionOptions = {
  image: { registry: 'ghcr.io/agentplane', repository: 'gateway', tag: '0.1.0' },
  xdsAddress: 'gateway-controller.agentplane-system.svc:9978',
  generateSessionKey: () => 'ab'.repeat(32),
};

function provision(parameters: AgentgatewayParameters[], extra: Partial<ProvisionOptions> = {}) {
  const r = provisionGateway(gateway!, parameters, { ...options, ...extra });
  if (!r.ok) throw r.error;
  return r.value;
}

describe('provisionGateway', () => {
  it('builds a hardened gateway Deployment taking its config over xDS', () => {
    const { deployment } = provision([]);
    const pod = deployment.spec.template.spec;
    const c = deployment.spec.template.spec.containers[0];
    expect(c?.image).toBe('ghcr.io/agentplane/gateway:0.1.0');
    const env = Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({
      XDS_ADDRESS: 'gateway-controller.agentplane-system.svc:9978',
      XDS_TOKEN_PATH,
      GATEWAY: 'gw',
      NAMESPACE: 'team-a',
      POD_NAME: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
      SESSION_KEY: { secretKeyRef: { name: 'gw-session', key: 'SESSION_KEY' } },
    });
    expect(c?.readinessProbe?.httpGet).toEqual({ path: '/healthz/ready', port: 15021 });
    expect(c?.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    expect(pod['volumes']).toContainEqual({
      name: 'xds-token',
      projected: {
        sources: [
          { serviceAccountToken: { audience: 'agentgateway', expirationSeconds: 3600, path: 'xds-token' } },
        ],
      },
    });
    expect(c?.volumeMounts).toContainEqual({
      name: 'xds-token',
      mountPath: '/var/run/secrets/xds-tokens',
      readOnly: true,
    });
    expect(pod['serviceAccountName']).toBe('gw');
    // Port 80 is below 1024: the non-root process may bind it.
    expect(JSON.stringify(pod['securityContext'])).toContain('net.ipv4.ip_unprivileged_port_start');
    expect(deployment.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        name: 'gw',
        uid: '5f0c1e01-0b0d-4a53-9a55-5d2b2f0c1e01',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it('exposes each listener port once on the Service', () => {
    const { service, serviceAccount } = provision([]);
    expect(service.spec.ports.map((p) => p.port)).toEqual([80, 3000]);
    expect(service.spec.selector).toEqual({ 'gateway.networking.k8s.io/gateway-name': 'gw' });
    expect(service.spec.type).toBe('LoadBalancer');
    expect(serviceAccount.metadata.name).toBe('gw');
  });

  it('generates the session key once and keeps an existing one', () => {
    const first = provision([]).secret;
    expect(Buffer.from(first.data['SESSION_KEY'] ?? '', 'base64').toString()).toBe('ab'.repeat(32));
    const kept = provision([], {
      existingSecret: first,
      generateSessionKey: () => {
        throw new Error('must not generate');
      },
    }).secret;
    expect(kept.data).toEqual(first.data);
    const random = provisionGateway(gateway, [], { ...options, generateSessionKey: undefined });
    expect(
      random.ok && Buffer.from(random.value.secret.data['SESSION_KEY'] ?? '', 'base64').toString(),
    ).toMatch(/^[0-9a-f]{64}$/);
  });

  it('applies AgentgatewayParameters in order: image, env, resources, replicas, raw config, overlays', () => {
    const { deployment, service } = provision(params);
    const c = deployment.spec.template.spec.containers[0];
    expect(c?.image).toBe('registry.example.com/gateway:1.2.3');
    const env = (c?.env ?? []).map((e) => [e.name, e.value]);
    expect(env).toContainEqual(['EXTRA', 'two']);
    expect(env).toContainEqual(['OTLP_ENDPOINT', 'http://otel:4318']);
    // The class's LOG_LEVEL env wins over rawConfig: explicit env is applied last.
    expect(env.filter(([n]) => n === 'LOG_LEVEL')).toEqual([['LOG_LEVEL', 'info']]);
    expect(c?.resources).toEqual({ requests: { cpu: '250m', memory: '128Mi' } });
    expect(deployment.spec.replicas).toBe(3);
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.metadata.annotations).toEqual({ 'example.com/lb': 'internal' });
  });

  it('mounts the model price catalogs of the Gateway’s own parameters and tells the gateway where', () => {
    const own = structuredClone(params[1]!);
    own.spec.modelCatalog = {
      sources: [{ configMap: { name: 'prices' } }, { configMap: { name: 'overrides', key: 'team.json' } }],
    };
    const { deployment } = provision([params[0]!, own]);
    const pod = deployment.spec.template.spec;
    const c = pod.containers[0];
    expect((c?.env ?? []).find((e) => e.name === 'MODEL_CATALOG_FILES')?.value).toBe(
      '/etc/agentgateway/model-catalog/0/catalog.json,/etc/agentgateway/model-catalog/1/catalog.json',
    );
    expect(pod['volumes']).toEqual(
      expect.arrayContaining([
        {
          name: 'model-catalog-0',
          configMap: { name: 'prices', items: [{ key: 'catalog.json', path: 'catalog.json' }] },
        },
        {
          name: 'model-catalog-1',
          configMap: { name: 'overrides', items: [{ key: 'team.json', path: 'catalog.json' }] },
        },
      ]),
    );
    expect(c?.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'model-catalog-0', mountPath: '/etc/agentgateway/model-catalog/0', readOnly: true },
        { name: 'model-catalog-1', mountPath: '/etc/agentgateway/model-catalog/1', readOnly: true },
      ]),
    );
    // Without a catalog there is neither the env nor a volume.
    const plain = provision(params).deployment.spec.template.spec;
    expect(JSON.stringify(plain)).not.toContain('model-catalog');

    // On the GatewayClass's parameters (ConfigMaps of which namespace?) it is refused, naming it.
    const cls = structuredClone(params[0]!);
    cls.spec.modelCatalog = { sources: [{ configMap: { name: 'prices' } }] };
    const r = provisionGateway(gateway, [cls, params[1]!], options);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.issues).toEqual([
      "AgentgatewayParameters agentplane-system/class-defaults: spec.modelCatalog applies only to a Gateway's own parameters (spec.infrastructure.parametersRef), not its GatewayClass's",
    ]);
  });

  it('refuses parameters it cannot honour, naming them', () => {
    const bad = structuredClone(params[1]!);
    bad.spec.rawConfig = { statsAddr: '0.0.0.0:9999' };
    bad.spec.workload = { kind: 'DaemonSet' };
    const r = provisionGateway(gateway, [bad], options);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('INVALID_PARAMETERS');
    expect(r.error.issues).toEqual([
      'AgentgatewayParameters team-a/big: spec.workload.kind DaemonSet is not supported yet',
      'rawConfig.statsAddr is not supported yet',
    ]);
  });
});
