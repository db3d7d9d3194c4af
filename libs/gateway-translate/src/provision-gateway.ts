import { randomBytes } from 'node:crypto';
import type { AgentgatewayParameters, Container, EnvVar, ResourceRequirements } from '@agentplane/crds';
import type { Gateway } from '@agentplane/crds/gateway-api';
import type { Secret } from './k8s-types.js';
import { metaRef } from './names.js';
import { mergeOverlay } from './overlay.js';
import { ProvisionError } from './provision-error.js';
import { secretValue } from './secret-data.js';

/** Where the projected ServiceAccount token for xDS is mounted, and its audience. */
export const XDS_TOKEN_DIR = '/var/run/secrets/xds-tokens';
export const XDS_TOKEN_PATH = `${XDS_TOKEN_DIR}/xds-token`;
export const XDS_TOKEN_AUDIENCE = 'agentgateway';
export const READINESS_PORT = 15021;
export const METRICS_PORT = 15020;
export const SESSION_KEY_ENV = 'SESSION_KEY';
/** Where the model price catalogs (`spec.modelCatalog.sources[i]`) are mounted: `<dir>/<i>/catalog.json`. */
export const MODEL_CATALOG_DIR = '/etc/agentgateway/model-catalog';
/** Env telling the gateway the catalog files, comma-separated, in source order. */
export const MODEL_CATALOG_FILES_ENV = 'MODEL_CATALOG_FILES';

export interface ImageRef {
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
  pullPolicy?: string;
}

export interface ProvisionOptions {
  /** The gateway image when no AgentgatewayParameters names one. */
  image: ImageRef;
  /** `host:port` of the gateway-controller's xDS server, as seen from the gateway pods. */
  xdsAddress: string;
  /** The session-key Secret as it exists now, so its key is kept (generated only when absent). */
  existingSecret?: Secret;
  /** Source of a new session key (64 hex characters). Default: 32 random bytes. */
  generateSessionKey?: () => string;
}

interface Meta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller: boolean;
    blockOwnerDeletion: boolean;
  }[];
}

export interface DeploymentManifest {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: Meta;
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      spec: Record<string, unknown> & { containers: Container[] };
    };
  } & Record<string, unknown>;
}

export interface ServiceManifest {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: Meta;
  spec: {
    type: string;
    selector: Record<string, string>;
    ports: { name: string; port: number; targetPort: number; protocol: 'TCP' }[];
  } & Record<string, unknown>;
}

export interface ServiceAccountManifest {
  apiVersion: 'v1';
  kind: 'ServiceAccount';
  metadata: Meta;
}

export interface SecretManifest {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: Meta;
  type: 'Opaque';
  data: Record<string, string>;
}

/** The objects one Gateway runs on, all owned by the Gateway. */
export interface ProvisionedGateway {
  readonly deployment: DeploymentManifest;
  readonly serviceAccount: ServiceAccountManifest;
  readonly service: ServiceManifest;
  readonly secret: SecretManifest;
}

export type ProvisionResult = { ok: true; value: ProvisionedGateway } | { ok: false; error: ProvisionError };

/** Names of the objects provisioned for a Gateway. */
export function provisionedNames(gatewayName: string): { workload: string; secret: string } {
  return { workload: gatewayName, secret: `${gatewayName}-session` };
}

type Params = AgentgatewayParameters['spec'];

const SUPPORTED_PARAMS = [
  'deployment',
  'env',
  'image',
  'logging',
  'modelCatalog',
  'rawConfig',
  'resources',
  'service',
  'serviceAccount',
  'workload',
];

/** rawConfig keys the gateway takes from the environment. */
const RAW_CONFIG_ENV: Record<string, string> = {
  adminAddr: 'ADMIN_ADDR',
  'logging.level': 'LOG_LEVEL',
  'tracing.otlpEndpoint': 'OTLP_ENDPOINT',
};

function flatten(obj: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? flatten(v as Record<string, unknown>, `${prefix}${k}.`)
      : [[`${prefix}${k}`, v] as [string, unknown]],
  );
}

interface Merged {
  image: ImageRef;
  env: EnvVar[];
  resources?: ResourceRequirements;
  rawConfig: Record<string, unknown>;
  logLevel?: string;
  /** ConfigMaps holding model price catalogs, in order (from the Gateway's own parameters). */
  modelCatalog: { name: string; key: string }[];
  overlays: { deployment: unknown[]; service: unknown[]; serviceAccount: unknown[] };
}

/** Whether `p` is the Gateway's own parameters (`spec.infrastructure.parametersRef`). */
function isGatewayParameters(gateway: Gateway, p: AgentgatewayParameters): boolean {
  const ref = gateway.spec.infrastructure?.parametersRef;
  return (
    ref !== undefined &&
    ref.kind === 'AgentgatewayParameters' &&
    metaRef(p).namespace === metaRef(gateway).namespace &&
    metaRef(p).name === ref.name
  );
}

function mergeParameters(
  gateway: Gateway,
  parameters: readonly AgentgatewayParameters[],
  image: ImageRef,
  issues: string[],
): Merged {
  const merged: Merged = {
    image: { ...image },
    env: [],
    rawConfig: {},
    modelCatalog: [],
    overlays: { deployment: [], service: [], serviceAccount: [] },
  };
  for (const p of parameters) {
    const spec: Params = p.spec;
    const where = `AgentgatewayParameters ${metaRef(p).namespace}/${metaRef(p).name}`;
    if (spec.modelCatalog !== undefined) {
      // ConfigMaps are mounted from the Gateway's namespace, so only its own parameters may name them.
      if (!isGatewayParameters(gateway, p))
        issues.push(
          `${where}: spec.modelCatalog applies only to a Gateway's own parameters (spec.infrastructure.parametersRef), not its GatewayClass's`,
        );
      else
        merged.modelCatalog = (spec.modelCatalog.sources ?? []).flatMap((src, i) => {
          if (src.configMap !== undefined)
            return [{ name: src.configMap.name, key: src.configMap.key ?? 'catalog.json' }];
          issues.push(`${where}: spec.modelCatalog.sources[${i}] needs a configMap`);
          return [];
        });
    }
    for (const [k, v] of Object.entries(spec))
      if (v !== undefined && !SUPPORTED_PARAMS.includes(k))
        issues.push(`${where}: spec.${k} is not supported yet`);
    if (spec.workload?.kind === 'DaemonSet')
      issues.push(`${where}: spec.workload.kind DaemonSet is not supported yet`);
    if (spec.image) {
      for (const k of ['registry', 'repository', 'tag', 'digest', 'pullPolicy'] as const) {
        const v = spec.image[k];
        if (v !== undefined) merged.image[k] = v;
      }
    }
    for (const e of spec.env ?? []) {
      merged.env = [...merged.env.filter((x) => x.name !== e.name), e];
    }
    if (spec.resources) merged.resources = spec.resources;
    if (spec.logging?.level !== undefined) merged.logLevel = spec.logging.level;
    if (spec.logging?.format !== undefined) issues.push(`${where}: spec.logging.format is not supported yet`);
    if (spec.rawConfig) merged.rawConfig = mergeOverlay(merged.rawConfig, spec.rawConfig);
    for (const kind of ['deployment', 'service', 'serviceAccount'] as const) {
      const overlay = spec[kind];
      if (overlay !== undefined) merged.overlays[kind].push(overlay);
    }
  }
  return merged;
}

function imageString(image: ImageRef): string {
  const repo = image.registry ? `${image.registry}/${image.repository}` : image.repository;
  if (image.digest) return `${repo}@${image.digest}`;
  return `${repo}:${image.tag ?? 'latest'}`;
}

function applyOverlays<T extends { metadata: Meta }>(obj: T, overlays: readonly unknown[]): T {
  let out = obj;
  for (const o of overlays) {
    const overlay = o as {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec?: unknown;
    };
    out = mergeOverlay(out, {
      ...(overlay.metadata ? { metadata: overlay.metadata } : {}),
      ...(overlay.spec !== undefined ? { spec: overlay.spec } : {}),
    });
  }
  return out;
}

function validSessionKey(secret: Secret | undefined): string | undefined {
  const v = secret === undefined ? undefined : secretValue(secret, SESSION_KEY_ENV);
  return v !== undefined && /^[0-9a-f]{64}$/i.test(v) ? v : undefined;
}

/**
 * The desired workload of one Gateway: a Deployment of the gateway image taking its config over
 * xDS, its ServiceAccount, a Service exposing the listener ports and a Secret with the MCP session
 * key shared by its replicas. `parameters` apply in order (the GatewayClass's, then the Gateway's).
 * Pure: the existing Secret keeps its key; a new one comes from `generateSessionKey`.
 */
export function provisionGateway(
  gateway: Gateway,
  parameters: readonly AgentgatewayParameters[],
  options: ProvisionOptions,
): ProvisionResult {
  const ref = metaRef(gateway);
  const uid = gateway.metadata?.uid;
  if (uid === undefined || uid === '')
    return {
      ok: false,
      error: new ProvisionError('INVALID_GATEWAY', ['metadata.uid is required to own the workload']),
    };
  const issues: string[] = [];
  const merged = mergeParameters(gateway, parameters, options.image, issues);
  const rawEnv: EnvVar[] = [];
  for (const [path, value] of flatten(merged.rawConfig)) {
    const name = RAW_CONFIG_ENV[path];
    if (name === undefined) issues.push(`rawConfig.${path} is not supported yet`);
    else rawEnv.push({ name, value: String(value) });
  }
  if (issues.length > 0) return { ok: false, error: new ProvisionError('INVALID_PARAMETERS', issues) };

  const names = provisionedNames(ref.name);
  const selector = { 'gateway.networking.k8s.io/gateway-name': ref.name };
  const labels = {
    ...selector,
    'gateway.networking.k8s.io/gateway-class-name': gateway.spec.gatewayClassName,
    'app.kubernetes.io/name': 'agentgateway',
    'app.kubernetes.io/instance': ref.name,
    'app.kubernetes.io/component': 'gateway',
    'app.kubernetes.io/managed-by': 'agentplane-gateway-controller',
  };
  const meta = (name: string): Meta => ({
    name,
    namespace: ref.namespace,
    labels: { ...labels },
    ownerReferences: [
      {
        apiVersion: gateway.apiVersion,
        kind: 'Gateway',
        name: ref.name,
        uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  });
  const ports = [...new Set(gateway.spec.listeners.map((l) => l.port))].sort((a, b) => a - b);

  const sessionKey =
    validSessionKey(options.existingSecret) ??
    (options.generateSessionKey ?? (() => randomBytes(32).toString('hex')))();
  const secret: SecretManifest = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(names.secret),
    type: 'Opaque',
    data: { [SESSION_KEY_ENV]: Buffer.from(sessionKey).toString('base64') },
  };

  const env: EnvVar[] = [
    { name: 'XDS_ADDRESS', value: options.xdsAddress },
    { name: 'XDS_TOKEN_PATH', value: XDS_TOKEN_PATH },
    { name: 'GATEWAY', value: ref.name },
    { name: 'NAMESPACE', value: ref.namespace },
    { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    { name: SESSION_KEY_ENV, valueFrom: { secretKeyRef: { name: names.secret, key: SESSION_KEY_ENV } } },
    ...(merged.logLevel !== undefined ? [{ name: 'LOG_LEVEL', value: merged.logLevel }] : []),
    ...rawEnv,
    ...(merged.modelCatalog.length > 0
      ? [
          {
            name: MODEL_CATALOG_FILES_ENV,
            value: merged.modelCatalog.map((_, i) => `${MODEL_CATALOG_DIR}/${i}/catalog.json`).join(','),
          },
        ]
      : []),
  ];
  for (const e of merged.env) {
    const i = env.findIndex((x) => x.name === e.name);
    if (i >= 0) env[i] = e;
    else env.push(e);
  }
  const container: Container = {
    name: 'agentgateway',
    image: imageString(merged.image),
    ...(merged.image.pullPolicy
      ? { imagePullPolicy: merged.image.pullPolicy as Container['imagePullPolicy'] }
      : {}),
    ports: [
      ...ports.map((p) => ({ name: `listener-${p}`, containerPort: p, protocol: 'TCP' as const })),
      { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' as const },
      { name: 'readiness', containerPort: READINESS_PORT, protocol: 'TCP' as const },
    ],
    env,
    readinessProbe: {
      httpGet: { path: '/healthz/ready', port: READINESS_PORT },
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 3,
    },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10101,
      runAsGroup: 10101,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [
      { name: 'xds-token', mountPath: XDS_TOKEN_DIR, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
      ...merged.modelCatalog.map((_, i) => ({
        name: `model-catalog-${i}`,
        mountPath: `${MODEL_CATALOG_DIR}/${i}`,
        readOnly: true,
      })),
    ],
    ...(merged.resources ? { resources: merged.resources } : {}),
  };
  const lowPorts = ports.some((p) => p < 1024);
  const deployment: DeploymentManifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(names.workload),
    spec: {
      replicas: 1,
      selector: { matchLabels: { ...selector } },
      template: {
        metadata: {
          labels: { ...labels },
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(METRICS_PORT),
            'prometheus.io/path': '/metrics',
          },
        },
        spec: {
          serviceAccountName: names.workload,
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            fsGroup: 10101,
            // Lets the non-root process bind listener ports below 1024.
            ...(lowPorts ? { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] } : {}),
          },
          containers: [container],
          volumes: [
            {
              name: 'xds-token',
              projected: {
                sources: [
                  {
                    serviceAccountToken: {
                      audience: XDS_TOKEN_AUDIENCE,
                      expirationSeconds: 3600,
                      path: 'xds-token',
                    },
                  },
                ],
              },
            },
            { name: 'tmp', emptyDir: {} },
            // A mounted ConfigMap follows its edits; the gateway re-reads the files when they change.
            ...merged.modelCatalog.map((c, i) => ({
              name: `model-catalog-${i}`,
              configMap: { name: c.name, items: [{ key: c.key, path: 'catalog.json' }] },
            })),
          ],
        },
      },
    },
  };
  const service: ServiceManifest = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(names.workload),
    spec: {
      type: 'LoadBalancer',
      selector: { ...selector },
      ports: ports.map((p) => ({ name: `listener-${p}`, port: p, targetPort: p, protocol: 'TCP' as const })),
    },
  };
  const serviceAccount: ServiceAccountManifest = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta(names.workload),
  };
  return {
    ok: true,
    value: {
      deployment: applyOverlays(deployment, merged.overlays.deployment),
      serviceAccount: applyOverlays(serviceAccount, merged.overlays.serviceAccount),
      service: applyOverlays(service, merged.overlays.service),
      secret,
    },
  };
}
