// One machine: each Agent's Deployment (as the reconciler wrote it into the local store) runs as
// a child process: the agent runtime for declarative agents, `spec.byo.deployment.cmd` for BYO
// ones. The translated Secret's files go into a folder per declarative agent, the container's
// env is resolved from the store (Secret and ConfigMap references, field refs), and the
// Deployment's status reports the process's readiness so the Agent's `Ready` follows it. Agents
// used as tools are reached through the controller's A2A proxy (see local-agent-urls.ts).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentResolver } from '@agentplane/controller-api';
import {
  stableHash,
  type KubeObject,
  type ResourceStore,
  type WorkloadDriver,
  type WorkloadStatus,
} from '@agentplane/k8s';
import { AGENT, CONFIG_MAP, DEPLOYMENT, SECRET } from '@agentplane/controller-reconcilers';
import { findFreePort } from '@agentplane/net';
import type { Logger } from '@agentplane/telemetry';
import { byoProcess } from './byo-process.js';
import { routeSubAgentsThroughProxy } from './local-agent-urls.js';

export interface LocalAgentRunnerOptions {
  store: ResourceStore;
  workloads: WorkloadDriver;
  /** The node executable and the agent runtime's entry point. */
  nodePath: string;
  runtimeMain: string;
  /** Folder holding one config folder per agent (`<ns>/<name>`). */
  agentsDir: string;
  /** Working directory of BYO agents' commands (the manifest folder). Default this process's. */
  workDir?: string;
  /**
   * The controller's API as agents reach it (`KAGENT_URL`). Agents used as tools are reached
   * through its A2A proxy; without it their in-cluster URLs are kept.
   */
  controllerUrl?: string;
  logger: Logger;
}

/** Where an agent's A2A server says it is up (the readiness probe of kagent's Deployment). */
const READINESS_PATH = '/.well-known/agent-card.json';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}

interface Container {
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  volumeMounts?: { name: string; mountPath: string }[];
}

interface PodSpec {
  containers?: Container[];
  volumes?: { name: string; secret?: { secretName: string } }[];
}

const decode = (b64: string | undefined): string | undefined =>
  b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');

const isAgentDeployment = (obj: KubeObject): boolean =>
  (obj.metadata.ownerReferences ?? []).some((o) => o.kind === 'Agent' && o.controller === true);

/** Runs the Agents' Deployments of a local store as agent runtime processes. */
export class LocalAgentRunner {
  readonly #options: LocalAgentRunnerOptions;
  readonly #chains = new Map<string, Promise<void>>();
  readonly #unsubscribe: Array<() => void> = [];
  #stopped = false;

  constructor(options: LocalAgentRunnerOptions) {
    this.#options = options;
  }

  /** Where an agent's A2A server listens, once its process is ready. */
  readonly resolver: AgentResolver = {
    resolve: (ref) => {
      const status = this.#options.workloads.status(ref.namespace, ref.name);
      return Promise.resolve(status?.ready ? status.url : undefined);
    },
  };

  start(): void {
    const { store, workloads } = this.#options;
    this.#unsubscribe.push(
      store.watch(DEPLOYMENT, (event) => {
        const { namespace = '', name = '' } = event.object.metadata;
        if (event.type === 'modified' && event.oldObject && sameSpec(event.oldObject, event.object)) return;
        this.#enqueue(namespace, name);
      }),
      // A Secret change (config or API key) reaches the Deployment through its config hash.
      workloads.onChange((status) => void this.#reportStatus(status)),
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const off of this.#unsubscribe.splice(0)) off();
    await Promise.all([...this.#chains.values()]);
  }

  #enqueue(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const next = (this.#chains.get(key) ?? Promise.resolve())
      .then(() => (this.#stopped ? undefined : this.#sync(namespace, name)))
      .catch((err: unknown) => this.#options.logger.error({ err, agent: key }, 'cannot run the agent'));
    this.#chains.set(key, next);
  }

  async #sync(namespace: string, name: string): Promise<void> {
    const { store, workloads, logger } = this.#options;
    const deployment = await store.get(DEPLOYMENT, namespace, name);
    const folder = join(this.#options.agentsDir, namespace, name);
    if (!deployment || !isAgentDeployment(deployment)) {
      if (await workloads.delete(namespace, name)) {
        logger.info({ agent: `${namespace}/${name}` }, 'agent stopped');
        await rm(folder, { recursive: true, force: true });
      }
      return;
    }
    const pod = (deployment['spec'] as { template?: { spec?: PodSpec } } | undefined)?.template?.spec ?? {};
    const container = pod.containers?.[0];
    if (!container) return;
    const agent = await store.get(AGENT, namespace, name);
    if ((agent?.['spec'] as { type?: string } | undefined)?.type === 'BYO') {
      await this.#syncByo(deployment, container);
      return;
    }
    const args = container.args ?? [];
    const configPath = args[args.indexOf('--filepath') + 1] ?? '/config';
    const mount = container.volumeMounts?.find((m) => m.mountPath === configPath);
    const secretName = pod.volumes?.find((v) => v.name === mount?.name)?.secret?.secretName;
    const secret = secretName ? await store.get(SECRET, namespace, secretName) : undefined;
    const files = (secret?.['data'] ?? {}) as Record<string, string>;
    if (!files['config.json']) {
      logger.warn({ agent: `${namespace}/${name}` }, 'the agent config Secret is not there yet');
      return;
    }
    await mkdir(folder, { recursive: true });
    const { controllerUrl } = this.#options;
    for (const [file, b64] of Object.entries(files)) {
      const text = decode(b64) ?? '';
      await writeFile(
        join(folder, file),
        file === 'config.json' && controllerUrl ? routeSubAgentsThroughProxy(text, controllerUrl) : text,
      );
    }

    const env = await this.#containerEnv(namespace, name, container);
    env['AGENTPLANE_CONFIG_HASH'] = stableHash(files);
    const port = workloads.status(namespace, name)?.port ?? (await findFreePort('127.0.0.1'));
    const status = await workloads.apply({
      namespace,
      name,
      command: this.#options.nodePath,
      args: [this.#options.runtimeMain, '--host', '127.0.0.1', '--port', String(port), '--filepath', folder],
      env,
      port,
      readinessPath: READINESS_PATH,
    });
    await this.#reportStatus(status);
  }

  /**
   * A BYO agent: its container's command and args as a process in the manifest folder, with the
   * container's env plus `PORT` (the port it must serve A2A on; `$(PORT)` in args expands to it).
   * An image-only one cannot run: its Deployment says why, and so does the Agent's `Ready`.
   */
  async #syncByo(deployment: KubeObject, container: Container): Promise<void> {
    const { workloads, logger } = this.#options;
    const { namespace = '', name = '' } = deployment.metadata;
    const env = await this.#containerEnv(namespace, name, container);
    const port = workloads.status(namespace, name)?.port ?? (await findFreePort('127.0.0.1'));
    env['PORT'] = String(port);
    const planned = byoProcess(container, env);
    if (!planned.ok) {
      if (await workloads.delete(namespace, name))
        logger.info({ agent: `${namespace}/${name}` }, 'agent stopped');
      await this.#patchDeploymentStatus(deployment, false, planned.reason, planned.message);
      return;
    }
    const status = await workloads.apply({
      namespace,
      name,
      command: planned.command,
      args: planned.args,
      env,
      port,
      portEnv: 'PORT',
      ...(this.#options.workDir ? { cwd: this.#options.workDir } : {}),
      readinessPath: READINESS_PATH,
    });
    await this.#reportStatus(status);
  }

  async #containerEnv(
    namespace: string,
    name: string,
    container: Container,
  ): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const v of container.env ?? []) {
      const value = await this.#envValue(namespace, name, v);
      if (value !== undefined) env[v.name] = value;
    }
    return env;
  }

  async #envValue(namespace: string, name: string, v: EnvVar): Promise<string | undefined> {
    if (v.value !== undefined) return v.value;
    const from = v.valueFrom;
    if (from?.fieldRef) {
      if (from.fieldRef.fieldPath === 'metadata.namespace') return namespace;
      if (from.fieldRef.fieldPath === 'metadata.name') return name;
      return undefined;
    }
    if (from?.secretKeyRef) {
      const s = await this.#options.store.get(SECRET, namespace, from.secretKeyRef.name);
      return decode((s?.['data'] as Record<string, string> | undefined)?.[from.secretKeyRef.key]);
    }
    if (from?.configMapKeyRef) {
      const c = await this.#options.store.get(CONFIG_MAP, namespace, from.configMapKeyRef.name);
      return (c?.['data'] as Record<string, string> | undefined)?.[from.configMapKeyRef.key];
    }
    return undefined;
  }

  /** Mirrors the process into the Deployment's status, as a cluster would report the pod. */
  async #reportStatus(status: WorkloadStatus): Promise<void> {
    if (this.#stopped) return;
    const { store, workloads } = this.#options;
    // A stopped process whose workload is gone: the sync that stopped it reports (or the
    // Deployment is gone with its Agent).
    if (status.phase === 'Stopped' && !workloads.status(status.namespace, status.name)) return;
    const deployment = await store.get(DEPLOYMENT, status.namespace, status.name);
    if (!deployment) return;
    const ready = status.ready && status.phase === 'Running';
    await this.#patchDeploymentStatus(
      deployment,
      ready,
      ready ? 'ProcessReady' : `Process${status.phase}`,
      ready ? `serving on ${status.url}` : (status.lastError ?? processState(status)),
    );
  }

  async #patchDeploymentStatus(
    deployment: KubeObject,
    ready: boolean,
    reason: string,
    message: string,
  ): Promise<void> {
    const { namespace = '', name = '' } = deployment.metadata;
    await this.#options.store
      .patchStatus(DEPLOYMENT, namespace, name, {
        observedGeneration: deployment.metadata.generation ?? 0,
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: ready ? 1 : 0,
        availableReplicas: ready ? 1 : 0,
        conditions: [{ type: 'Available', status: ready ? 'True' : 'False', reason, message }],
      })
      .catch((err: unknown) => this.#options.logger.debug({ err }, 'cannot report the agent status'));
  }
}

/** What a process that is not ready is doing, for the Deployment's message. */
function processState(status: WorkloadStatus): string {
  if (status.phase === 'BackOff') {
    const exit = status.lastExitSignal
      ? `signal ${status.lastExitSignal}`
      : `code ${String(status.lastExitCode)}`;
    return `process exited (${exit}), restarting (${status.restarts} restarts)`;
  }
  return status.phase === 'Running' ? 'process started, not answering yet' : `process ${status.phase}`;
}

function sameSpec(a: KubeObject, b: KubeObject): boolean {
  return JSON.stringify(a['spec']) === JSON.stringify(b['spec']);
}
