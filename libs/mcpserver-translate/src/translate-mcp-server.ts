import type {
  Container,
  EnvFromSource,
  EnvVar,
  MCPServer,
  Volume,
  VolumeMount,
} from '@agentplane/crds/kagent';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { ADAPTER_CONFIG_FILE, CHILD_MODES, type AdapterConfig, type ChildMode } from './adapter-config.js';
import { condition, type ConditionInput } from './conditions.js';
import { objectLabels, selectorLabels } from './labels.js';
import { mcpServerUrl, transportOf } from './mcp-url.js';
import type { ReferencedNames, ReferencedObject, ReferencedObjects } from './referenced-objects.js';
import { stableHash } from './stable-hash.js';
import { McpServerTranslateError } from './translate-error.js';
import {
  ADAPTER_BIN_VOLUME,
  ADAPTER_CONFIG_DIR,
  ADAPTER_CONFIG_VOLUME,
  ADAPTER_DIR,
  CHILD_MODE_ANNOTATION,
  CONFIG_HASH_ANNOTATION,
  DEFAULT_ADAPTER_IMAGE,
  DEFAULT_IMAGES,
  DEFAULT_MANAGED_BY,
  type TranslateOptions,
} from './translate-options.js';

export type DesiredObject = IDeployment | IService | IConfigMap | IServiceAccount;

/** How clients reach the server: what the controller's tool discovery and agents use. */
export interface McpServerEndpoint {
  readonly url: string;
  /** Always streamable HTTP at `url` (stdio servers also answer legacy SSE at `/sse`). */
  readonly protocol: 'STREAMABLE_HTTP';
  /** `spec.timeout`, for clients (stdio children can take seconds to start). */
  readonly timeout: string;
  readonly tls?: { readonly secretRef?: string; readonly insecureSkipVerify: boolean };
}

export type TranslateResult =
  | {
      readonly ok: true;
      /** ServiceAccount (when `deployment.serviceAccount`), ConfigMap (stdio), Deployment, Service. */
      readonly objects: readonly DesiredObject[];
      /** Accepted, ResolvedRefs and Programmed, all True. Ready comes from the Deployment's status. */
      readonly conditions: readonly ConditionInput[];
      readonly endpoint: McpServerEndpoint;
    }
  | {
      readonly ok: false;
      /** Accepted, ResolvedRefs and Programmed; at least one False, with the reason. */
      readonly conditions: readonly ConditionInput[];
      readonly endpoint: McpServerEndpoint;
    };

/** Name of the MCP server's container (sidecars must use other names). */
export const MAIN_CONTAINER = 'mcp-server';
/** Name of the init container that copies the adapter (stdio). */
export const COPY_ADAPTER_CONTAINER = 'copy-adapter';
const PORT_NAME = 'mcp';

/** The Secrets and ConfigMaps an MCPServer references (to read and to watch). */
export function referencedNames(server: MCPServer): ReferencedNames {
  const d = server.spec.deployment;
  const secrets = [
    ...(d.secretRefs ?? []).map((r) => r.name ?? ''),
    ...(transportOf(server) === 'http' && server.spec.httpTransport?.tls?.secretRef
      ? [server.spec.httpTransport.tls.secretRef]
      : []),
  ].filter((n) => n !== '');
  const configMaps = (d.configMapRefs ?? []).map((r) => r.name ?? '').filter((n) => n !== '');
  return { secrets: [...new Set(secrets)], configMaps: [...new Set(configMaps)] };
}

/**
 * Translates an MCPServer into the objects that run it, and the conditions that say whether it
 * could. Pure: the Secrets and ConfigMaps of its namespace come in as `refs`; nothing is read.
 *
 * Throws {@link McpServerTranslateError} only when metadata the API server always sets is missing.
 */
export function translateMCPServer(
  server: MCPServer,
  refs: ReferencedObjects = {},
  options: TranslateOptions = {},
): TranslateResult {
  const { name, namespace, uid } = server.metadata;
  if (!name || !namespace || !uid)
    throw new McpServerTranslateError(
      'MISSING_METADATA',
      `MCPServer needs metadata.name, metadata.namespace and metadata.uid (got ${JSON.stringify({ name, namespace, uid })})`,
    );
  const generation = server.metadata.generation;
  const transport = transportOf(server);
  const d = server.spec.deployment;
  const endpoint: McpServerEndpoint = {
    url: mcpServerUrl(server),
    protocol: 'STREAMABLE_HTTP',
    timeout: server.spec.timeout,
    ...(transport === 'http' && server.spec.httpTransport?.tls
      ? {
          tls: {
            ...(server.spec.httpTransport.tls.secretRef
              ? { secretRef: server.spec.httpTransport.tls.secretRef }
              : {}),
            insecureSkipVerify: server.spec.httpTransport.tls.insecureSkipVerify,
          },
        }
      : {}),
  };

  // Accepted: the spec can be run at all.
  const problems: string[] = [];
  const images = { ...DEFAULT_IMAGES, ...options.defaultImages };
  const command = d.cmd?.trim() ?? '';
  if (transport === 'stdio' && command === '')
    problems.push('spec.deployment.cmd is required for transportType stdio');
  const image = d.image?.trim() || images[baseName(command)];
  if (!image)
    problems.push(
      command === ''
        ? 'spec.deployment.image is required when spec.deployment.cmd is empty'
        : `spec.deployment.image is empty and there is no default image for command ${JSON.stringify(command)}; set spec.deployment.image`,
    );
  if (!validPort(d.port)) problems.push(`spec.deployment.port must be 1-65535 (got ${d.port})`);
  const targetPort = transport === 'http' ? (server.spec.httpTransport?.targetPort ?? d.port) : d.port;
  if (transport === 'http' && !validPort(targetPort))
    problems.push(`spec.httpTransport.targetPort must be 1-65535 (got ${targetPort})`);
  if (d.replicas < 0) problems.push(`spec.deployment.replicas must not be negative (got ${d.replicas})`);
  const modeText = server.metadata.annotations?.[CHILD_MODE_ANNOTATION];
  if (modeText !== undefined && !(CHILD_MODES as readonly string[]).includes(modeText))
    problems.push(
      `annotation ${CHILD_MODE_ANNOTATION} must be one of ${CHILD_MODES.join(', ')} (got ${JSON.stringify(modeText)})`,
    );
  const childMode = (modeText as ChildMode | undefined) ?? options.childMode ?? 'per-session';
  const containerNames = new Set([MAIN_CONTAINER]);
  for (const [i, s] of (d.sidecars ?? []).entries()) {
    if (containerNames.has(s.name))
      problems.push(`spec.deployment.sidecars[${i}].name ${JSON.stringify(s.name)} is already used`);
    containerNames.add(s.name);
  }
  if (transport === 'stdio') {
    for (const [i, v] of (d.volumes ?? []).entries())
      if (v.name === ADAPTER_BIN_VOLUME || v.name === ADAPTER_CONFIG_VOLUME)
        problems.push(
          `spec.deployment.volumes[${i}].name ${JSON.stringify(v.name)} is reserved for the adapter`,
        );
    for (const [i, m] of (d.volumeMounts ?? []).entries())
      if (isUnder(m.mountPath, ADAPTER_DIR) || isUnder(m.mountPath, ADAPTER_CONFIG_DIR))
        problems.push(
          `spec.deployment.volumeMounts[${i}].mountPath ${JSON.stringify(m.mountPath)} is reserved for the adapter`,
        );
  }
  const accepted =
    problems.length === 0
      ? condition('Accepted', true, 'Accepted', `${transport} MCP server accepted`, generation)
      : condition('Accepted', false, 'InvalidSpec', problems.join('; '), generation);

  // ResolvedRefs: every Secret and ConfigMap it names exists.
  const wanted = referencedNames(server);
  const secrets = byName(refs.secrets);
  const configMaps = byName(refs.configMaps);
  const missing = [
    ...wanted.secrets.filter((n) => !secrets.has(n)).map((n) => `Secret ${JSON.stringify(n)}`),
    ...wanted.configMaps.filter((n) => !configMaps.has(n)).map((n) => `ConfigMap ${JSON.stringify(n)}`),
  ];
  const resolved =
    missing.length === 0
      ? condition('ResolvedRefs', true, 'ResolvedRefs', 'all references resolved', generation)
      : condition(
          'ResolvedRefs',
          false,
          'RefNotFound',
          `${missing.join(', ')} not found in namespace ${namespace}`,
          generation,
        );

  if (problems.length > 0 || missing.length > 0 || !image) {
    const reason = problems.length > 0 ? 'InvalidSpec' : 'RefNotFound';
    return {
      ok: false,
      endpoint,
      conditions: [
        accepted,
        resolved,
        condition(
          'Programmed',
          false,
          reason,
          'objects not generated: see Accepted and ResolvedRefs',
          generation,
        ),
      ],
    };
  }

  const managedBy = options.managedBy ?? DEFAULT_MANAGED_BY;
  const labels = objectLabels(name, managedBy);
  // A fresh copy per object: callers may mutate what they get.
  const meta = () => ({
    name,
    namespace,
    labels: { ...labels },
    ownerReferences: [
      {
        apiVersion: server.apiVersion,
        kind: server.kind,
        name,
        uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  });

  const adapterConfig: AdapterConfig | undefined =
    transport === 'stdio' ? { port: d.port, cmd: command, args: [...(d.args ?? [])], childMode } : undefined;
  const configHash = stableHash({
    adapterConfig,
    secrets: wanted.secrets.map((n) => dataOf(secrets.get(n))),
    configMaps: wanted.configMaps.map((n) => dataOf(configMaps.get(n))),
  });

  const env: EnvVar[] = Object.entries(d.env ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, value]) => ({ name: k, value }));
  const envFrom: EnvFromSource[] = [
    ...wanted.configMaps.map((n) => ({ configMapRef: { name: n } })),
    ...(d.secretRefs ?? []).flatMap((r) => (r.name ? [{ secretRef: { name: r.name } }] : [])),
  ];
  const userMounts: VolumeMount[] = [...(d.volumeMounts ?? [])];
  const userVolumes: Volume[] = [...(d.volumes ?? [])];

  const main: Container = {
    name: MAIN_CONTAINER,
    image,
    ...(d.imagePullPolicy ? { imagePullPolicy: d.imagePullPolicy } : {}),
    ...(transport === 'stdio'
      ? {
          // Started through the C library shipped next to it, so it runs on any base image
          // (glibc, musl or none): see docs/adr/0005-stdio-adapter.md.
          command: [
            `${ADAPTER_DIR}/lib/ld.so`,
            '--library-path',
            `${ADAPTER_DIR}/lib`,
            `${ADAPTER_DIR}/mcp-adapter`,
          ],
          args: ['--config', `${ADAPTER_CONFIG_DIR}/${ADAPTER_CONFIG_FILE}`],
        }
      : {
          ...(command !== '' ? { command: [command] } : {}),
          ...(d.args && d.args.length > 0 ? { args: [...d.args] } : {}),
        }),
    ports: [{ name: PORT_NAME, containerPort: targetPort, protocol: 'TCP' }],
    ...(env.length > 0 ? { env } : {}),
    ...(envFrom.length > 0 ? { envFrom } : {}),
    ...(d.resources ? { resources: d.resources } : {}),
    ...(d.securityContext ? { securityContext: d.securityContext } : {}),
    readinessProbe:
      transport === 'stdio'
        ? // scheme is the server's default, written out so that the applier owns every field of
          // httpGet: switching to tcpSocket then removes httpGet whole (server-side apply keeps
          // defaulted fields nobody owns, which would leave two probe handlers).
          { httpGet: { path: '/healthz', port: PORT_NAME, scheme: 'HTTP' as const }, periodSeconds: 5 }
        : { tcpSocket: { port: PORT_NAME }, periodSeconds: 5 },
  };
  const mounts =
    transport === 'stdio'
      ? [
          ...userMounts,
          { name: ADAPTER_BIN_VOLUME, mountPath: ADAPTER_DIR, readOnly: true },
          { name: ADAPTER_CONFIG_VOLUME, mountPath: ADAPTER_CONFIG_DIR, readOnly: true },
        ]
      : userMounts;
  if (mounts.length > 0) main.volumeMounts = mounts;

  const volumes: Volume[] =
    transport === 'stdio'
      ? [
          ...userVolumes,
          { name: ADAPTER_BIN_VOLUME, emptyDir: {} },
          { name: ADAPTER_CONFIG_VOLUME, configMap: { name } },
        ]
      : userVolumes;

  const init = d.initContainer;
  const initContainers: Container[] =
    transport === 'stdio'
      ? [
          {
            name: COPY_ADAPTER_CONTAINER,
            image: init?.image ?? options.adapterImage ?? DEFAULT_ADAPTER_IMAGE,
            ...(init?.imagePullPolicy ? { imagePullPolicy: init.imagePullPolicy } : {}),
            command: ['cp', '-a', `${ADAPTER_DIR}/.`, '/mnt/adapter/'],
            volumeMounts: [{ name: ADAPTER_BIN_VOLUME, mountPath: '/mnt/adapter' }],
            ...(init?.resources ? { resources: init.resources } : {}),
            ...(init?.securityContext ? { securityContext: init.securityContext } : {}),
          },
        ]
      : [];

  const serviceAccountName = d.serviceAccount ? name : d.serviceAccountName;
  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(),
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: selectorLabels(name) },
      template: {
        metadata: {
          labels: { ...d.labels, ...labels },
          annotations: { ...d.annotations, [CONFIG_HASH_ANNOTATION]: configHash },
        },
        spec: {
          ...(serviceAccountName ? { serviceAccountName } : {}),
          ...(d.imagePullSecrets?.length ? { imagePullSecrets: d.imagePullSecrets } : {}),
          ...(d.podSecurityContext ? { securityContext: d.podSecurityContext } : {}),
          ...(d.nodeSelector ? { nodeSelector: d.nodeSelector } : {}),
          ...(d.affinity ? { affinity: d.affinity } : {}),
          ...(d.tolerations?.length ? { tolerations: d.tolerations } : {}),
          ...(initContainers.length > 0 ? { initContainers } : {}),
          containers: [main, ...(d.sidecars ?? [])],
          ...(volumes.length > 0 ? { volumes } : {}),
        },
      },
    },
  };

  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(name),
      ports: [
        {
          name: PORT_NAME,
          port: d.port,
          targetPort: PORT_NAME,
          protocol: 'TCP',
          appProtocol: endpoint.tls ? 'https' : 'http',
        },
      ],
      // A stdio server's sessions (and children) live in one pod's memory.
      ...(transport === 'stdio' ? { sessionAffinity: 'ClientIP' as const } : {}),
    },
  };

  const objects: DesiredObject[] = [];
  if (d.serviceAccount)
    objects.push({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        ...meta(),
        labels: { ...d.serviceAccount.labels, ...labels },
        ...(d.serviceAccount.annotations ? { annotations: d.serviceAccount.annotations } : {}),
      },
    });
  if (adapterConfig)
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(),
      data: { [ADAPTER_CONFIG_FILE]: `${JSON.stringify(adapterConfig, null, 2)}\n` },
    });
  objects.push(deployment, service);

  return {
    ok: true,
    objects,
    endpoint,
    conditions: [
      accepted,
      resolved,
      condition(
        'Programmed',
        true,
        'Programmed',
        `${objects.map((o) => o.kind).join(', ')} generated`,
        generation,
      ),
    ],
  };
}

function validPort(p: number): boolean {
  return Number.isInteger(p) && p >= 1 && p <= 65535;
}

function baseName(cmd: string): string {
  return cmd.split('/').pop() ?? cmd;
}

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

function byName(list: readonly ReferencedObject[] | undefined): Map<string, ReferencedObject> {
  return new Map((list ?? []).flatMap((o) => (o.metadata.name ? [[o.metadata.name, o] as const] : [])));
}

function dataOf(o: ReferencedObject | undefined): unknown {
  return o ? { data: o.data, stringData: o.stringData, binaryData: o.binaryData } : null;
}
