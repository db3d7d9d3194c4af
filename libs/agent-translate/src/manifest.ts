import type {
  Agent,
  Container,
  EnvVar,
  ResourceRequirements,
  Volume,
  VolumeMount,
} from '@agentplane/crds/kagent';
import { AGENT_PORT } from './agent-tools.js';
import type {
  ChildMetadata,
  DeploymentObject,
  ManifestObject,
  OwnerReference,
  ServiceAccountObject,
} from './manifest-types.js';
import { canonicalQuantity } from './quantity.js';
import { TranslationError } from './translation-error.js';

export const CONFIG_HASH_ANNOTATION = 'kagent.dev/config-hash';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const DEFAULT_RESOURCES: ResourceRequirements = {
  requests: { cpu: '100m', memory: '384Mi' },
  limits: { cpu: '2', memory: '1Gi' },
};

/** Everything about the pod that differs between declarative and BYO agents. */
export interface WorkloadSpec {
  image: string;
  command?: string[];
  args?: string[];
  /** Env from the model (provider keys), placed after the Agent's own env. */
  extraEnv: EnvVar[];
  /** Volumes before the Agent's own (the config Secret). */
  leadingVolumes: Volume[];
  leadingMounts: VolumeMount[];
  /** Volumes after the Agent's own (CA bundles). */
  trailingVolumes: Volume[];
  trailingMounts: VolumeMount[];
  /** `stringData` of the agent's Secret. */
  secretData: Record<string, string>;
  configHash: string;
  /** Advertise the Service port as A2A to gateways. */
  a2aAppProtocol: boolean;
}

export interface ManifestSettings {
  controllerUrl: string;
  imagePullPolicy: string;
  imagePullSecret?: string;
  defaultServiceAccountName?: string;
  otelEnv: Readonly<Record<string, string>>;
}

type DeploymentSpec = NonNullable<NonNullable<Agent['spec']['declarative']>['deployment']>;

function canonicalResources(resources: ResourceRequirements, field: string): ResourceRequirements {
  const out: ResourceRequirements = { ...resources };
  for (const group of ['requests', 'limits'] as const) {
    const list = resources[group];
    if (!list) continue;
    const canon: Record<string, string> = {};
    for (const [name, q] of Object.entries(list)) {
      const c = canonicalQuantity(q);
      if (c === undefined) {
        throw new TranslationError(
          'InvalidAgent',
          `${field}.resources.${group}.${name}`,
          `"${String(q)}" is not a quantity`,
        );
      }
      canon[name] = c;
    }
    out[group] = canon;
  }
  return out;
}

/** Builds the Secret, ServiceAccount, Deployment and Service of an Agent. */
export function buildManifest(
  agent: Agent,
  deployment: DeploymentSpec | undefined,
  deploymentField: string,
  workload: WorkloadSpec,
  settings: ManifestSettings,
): ManifestObject[] {
  const name = agent.metadata.name ?? '';
  const namespace = agent.metadata.namespace ?? '';
  const selector = { app: 'kagent', kagent: name };
  const labels = {
    ...selector,
    'app.kubernetes.io/managed-by': 'kagent',
    'app.kubernetes.io/part-of': 'kagent',
    'app.kubernetes.io/name': name,
    ...(deployment?.labels ?? {}),
  };
  const owner: OwnerReference = {
    apiVersion: 'kagent.dev/v1alpha2',
    kind: 'Agent',
    name,
    uid: agent.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
  const annotations = Object.fromEntries(
    Object.entries(agent.metadata.annotations ?? {}).filter(([k]) => k !== LAST_APPLIED),
  );
  const meta = (
    extraLabels?: Record<string, string>,
    extraAnnotations?: Record<string, string>,
  ): ChildMetadata => {
    const a = { ...annotations, ...(extraAnnotations ?? {}) };
    return {
      name,
      namespace,
      labels: { ...labels, ...(extraLabels ?? {}) },
      ...(Object.keys(a).length > 0 ? { annotations: a } : {}),
      ownerReferences: [{ ...owner }],
    };
  };

  const objects: ManifestObject[] = [
    { apiVersion: 'v1', kind: 'Secret', metadata: meta(), stringData: workload.secretData },
  ];

  let serviceAccountName = deployment?.serviceAccountName;
  if (!serviceAccountName) {
    if (deployment?.serviceAccountConfig || !settings.defaultServiceAccountName) {
      const sa: ServiceAccountObject = {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: meta(
          deployment?.serviceAccountConfig?.labels,
          deployment?.serviceAccountConfig?.annotations,
        ),
      };
      objects.push(sa);
      serviceAccountName = name;
    } else {
      serviceAccountName = settings.defaultServiceAccountName;
    }
  }

  const otel = Object.keys(settings.otelEnv)
    .sort()
    .map((k): EnvVar => ({ name: k, value: settings.otelEnv[k] ?? '' }));
  const env: EnvVar[] = [
    ...(deployment?.env ?? []),
    ...workload.extraEnv,
    ...otel,
    { name: 'KAGENT_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'KAGENT_NAME', value: name },
    { name: 'KAGENT_URL', value: settings.controllerUrl },
  ];

  const tokenVolume: Volume = {
    name: 'kagent-token',
    projected: {
      sources: [
        { serviceAccountToken: { audience: 'kagent', expirationSeconds: 3600, path: 'kagent-token' } },
      ],
    },
  };
  const volumes = dedupe([
    ...workload.leadingVolumes,
    ...(deployment?.volumes ?? []),
    ...workload.trailingVolumes,
    tokenVolume,
  ]);
  const volumeMounts = dedupe([
    ...workload.leadingMounts,
    ...(deployment?.volumeMounts ?? []),
    ...workload.trailingMounts,
    { name: 'kagent-token', mountPath: '/var/run/secrets/tokens' },
  ]);

  const container: Container = {
    name: 'kagent',
    image: workload.image,
    imagePullPolicy: (deployment?.imagePullPolicy ||
      settings.imagePullPolicy) as Container['imagePullPolicy'],
    ...(workload.command ? { command: workload.command } : {}),
    ...(workload.args ? { args: workload.args } : {}),
    ports: [{ name: 'http', containerPort: AGENT_PORT }],
    resources: deployment?.resources
      ? canonicalResources(deployment.resources, deploymentField)
      : structuredClone(DEFAULT_RESOURCES),
    env,
    readinessProbe: {
      httpGet: { path: '/.well-known/agent-card.json', port: 'http' },
      initialDelaySeconds: 15,
      timeoutSeconds: 15,
      periodSeconds: 15,
    },
    ...(deployment?.securityContext ? { securityContext: deployment.securityContext } : {}),
    volumeMounts,
  };

  const pullSecrets = [...(deployment?.imagePullSecrets ?? [])];
  if (settings.imagePullSecret && !pullSecrets.some((s) => s.name === settings.imagePullSecret)) {
    pullSecrets.push({ name: settings.imagePullSecret });
  }

  const dep: DeploymentObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(),
    spec: {
      ...(deployment?.replicas !== undefined ? { replicas: deployment.replicas } : {}),
      selector: { matchLabels: { ...selector } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: { ...labels },
          annotations: { ...(deployment?.annotations ?? {}), [CONFIG_HASH_ANNOTATION]: workload.configHash },
        },
        spec: {
          serviceAccountName,
          ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets } : {}),
          containers: [container, ...(deployment?.extraContainers ?? [])],
          volumes,
          ...(deployment?.podSecurityContext ? { securityContext: deployment.podSecurityContext } : {}),
          ...(deployment?.tolerations?.length ? { tolerations: deployment.tolerations } : {}),
          ...(deployment?.affinity ? { affinity: deployment.affinity } : {}),
          ...(deployment?.nodeSelector && Object.keys(deployment.nodeSelector).length > 0
            ? { nodeSelector: deployment.nodeSelector }
            : {}),
        },
      },
    },
    status: {},
  };
  objects.push(dep);

  objects.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(),
    spec: {
      type: 'ClusterIP',
      selector: { ...selector },
      ports: [
        {
          name: 'http',
          port: AGENT_PORT,
          targetPort: AGENT_PORT,
          ...(workload.a2aAppProtocol ? { appProtocol: 'kgateway.dev/a2a' } : {}),
        },
      ],
    },
    status: { loadBalancer: {} },
  });
  return objects;
}

/** Drops later entries whose name repeats an earlier one (a CA Secret used twice, say). */
function dedupe<T extends { name: string; mountPath?: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.name}\u0000${item.mountPath ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
