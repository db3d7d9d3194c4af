// The MCPServer reconciler: kagent.dev/v1alpha1 MCPServer → Deployment, Service, ConfigMap
// (stdio adapter config) and ServiceAccount on Kubernetes, or a child process on one machine.
// Translation is pure (@agentplane/mcpserver-translate); this file does the reads and writes.
import { formatIssues, parseMCPServer, type MCPServer } from '@agentplane/crds/kagent';
import {
  applyChildren,
  Controller,
  generationChangedFilter,
  mergeConditions,
  updateStatus,
  type Condition,
  type ConditionInput,
  type KubeObject,
  type ObjectRef,
  type ReconcileContext,
  type ReconcileRequest,
  type ResourceStore,
  type WorkloadDriver,
  type WorkloadStatus,
} from '@agentplane/k8s';
import {
  MCP_SERVER_LABEL,
  readyCondition,
  referencedNames,
  translateMCPServer,
  type DeploymentStatusView,
  type ReferencedObject,
  type ReferencedObjects,
  type TranslateOptions,
} from '@agentplane/mcpserver-translate';
import { createLogger, type Logger, type Registry } from '@agentplane/telemetry';
import { CONFIG_MAP, DEPLOYMENT, MCP_SERVER, SECRET } from '@agentplane/k8s/kinds';
import { findFreePort } from '@agentplane/net';
import { OWNED_KINDS } from './kinds.js';
import {
  localMcpUrl,
  localWorkloadSpec,
  type LocalAdapterCommand,
  type LocalWorkloadResult,
} from './local-workload.js';

/** Local mode: MCPServers run as processes through a workload driver instead of Deployments. */
export interface LocalModeOptions {
  /** Runs the processes (`ProcessWorkloadDriver`); owned by the caller, who closes it. */
  readonly workloads: WorkloadDriver;
  /** How to start the stdio transport adapter. */
  readonly adapter: LocalAdapterCommand;
  /** Loopback address the processes listen on. Default 127.0.0.1. */
  readonly host?: string;
}

export interface McpServerControllerOptions {
  /** Reads (cached, watched) and writes: `KubeResourceStore`, or `LocalResourceStore` with `local`. */
  readonly store: ResourceStore;
  /** Images and defaults for the generated objects. */
  readonly translate?: TranslateOptions;
  /** Set to run MCPServers as local processes (no Deployments are written). */
  readonly local?: LocalModeOptions;
  /** Concurrent reconciles. Default 2. */
  readonly workers?: number;
  readonly registry?: Registry;
  readonly logger?: Logger;
}

/**
 * Status field holding, in local mode, the URL the MCPServer's process serves MCP on
 * (`http://127.0.0.1:<port>/mcp`). On Kubernetes the URL follows from the spec
 * (`http://<name>.<ns>:<port>/mcp`) and is not written.
 */
export const LOCAL_URL_STATUS_FIELD = 'url';

/** Name of the controller: the `controller` label of the controller-runtime metrics. */
export const CONTROLLER_NAME = 'mcpserver';

/** The URL an MCPServer is served on in local mode, from its status (undefined when not running). */
export function localUrlOf(server: KubeObject): string | undefined {
  const status = server['status'] as Record<string, unknown> | undefined;
  const url = status?.[LOCAL_URL_STATUS_FIELD];
  return typeof url === 'string' && url !== '' ? url : undefined;
}

/**
 * The MCPServer controller: watches MCPServers, the objects they own and the Secrets and
 * ConfigMaps they reference, and reconciles each MCPServer level-triggered.
 */
export class McpServerController {
  readonly controller: Controller;
  readonly #options: McpServerControllerOptions;
  readonly #logger: Logger;
  #unsubscribeWorkloads: (() => void) | undefined;

  constructor(options: McpServerControllerOptions) {
    this.#options = options;
    this.#logger = options.logger ?? createLogger({ name: 'kmcp-controller', level: 'silent' });
    const mapRefs = (obj: KubeObject): Promise<ObjectRef[]> => this.#referencing(obj);
    this.controller = new Controller({
      name: CONTROLLER_NAME,
      source: options.store,
      for: MCP_SERVER,
      owns: options.local ? [] : OWNED_KINDS,
      watches: [
        { kind: SECRET, map: mapRefs },
        { kind: CONFIG_MAP, map: mapRefs },
      ],
      // Our own status writes change no generation: they need no reconcile.
      filter: generationChangedFilter,
      workers: options.workers ?? 2,
      reconcile: (req, ctx) => this.reconcile(req, ctx),
      ...(options.registry ? { registry: options.registry } : {}),
      logger: this.#logger,
    });
  }

  /** Starts watching; resolves once the caches are synced and the workers run. */
  async start(): Promise<void> {
    const local = this.#options.local;
    if (local)
      this.#unsubscribeWorkloads = local.workloads.onChange((s) =>
        this.controller.enqueue({ kind: MCP_SERVER.kind, namespace: s.namespace, name: s.name }),
      );
    await this.controller.start();
  }

  /** True when nothing is queued or being reconciled. */
  isIdle(): boolean {
    return this.controller.isIdle();
  }

  async stop(): Promise<void> {
    this.#unsubscribeWorkloads?.();
    await this.controller.stop();
  }

  /** One reconcile of one MCPServer (exposed for tests; the controller calls it). */
  async reconcile(req: ReconcileRequest, ctx: ReconcileContext): Promise<void> {
    const { store, local } = this.#options;
    const raw = await store.get(MCP_SERVER, req.namespace, req.name);
    if (!raw) {
      await this.#cleanUp(req.namespace, req.name, undefined, ctx);
      return;
    }
    // Being deleted (foreground, or someone else's finalizer): the garbage collector takes the rest.
    if (raw.metadata.deletionTimestamp) return;
    const generation = raw.metadata.generation;
    const parsed = parseMCPServer(raw);
    if (!parsed.ok) {
      const message = formatIssues(parsed.error.issues);
      ctx.logger.warn({ issues: parsed.error.issues.length }, 'MCPServer does not parse');
      await this.#writeStatus(raw, [
        cond('Accepted', false, 'InvalidSpec', message, generation),
        cond('Programmed', false, 'InvalidSpec', 'objects not generated: see Accepted', generation),
      ]);
      return;
    }
    const server = parsed.value;
    const refs = await this.#referencedObjects(server);
    if (local) {
      await this.#reconcileLocal(raw, server, refs, local, ctx);
      return;
    }
    await this.#cleanUp(req.namespace, req.name, raw.metadata.uid, ctx);
    const result = translateMCPServer(server, refs, this.#options.translate);
    if (result.ok) {
      const applied = await applyChildren({
        source: store,
        writer: store,
        owner: raw,
        desired: result.objects as unknown as KubeObject[],
        ownedKinds: OWNED_KINDS,
        pruneSelector: { [MCP_SERVER_LABEL]: req.name },
      });
      if (applied.applied.length > 0 || applied.pruned.length > 0)
        ctx.logger.info(
          { applied: applied.applied.map(describe), pruned: applied.pruned.map(describe) },
          'children updated',
        );
    } else {
      // Keep what runs: an invalid change or a missing reference must not take a server down.
      ctx.logger.info(
        { conditions: result.conditions.filter((c) => c.status !== 'True').map((c) => c.reason) },
        'MCPServer not programmed',
      );
    }
    const deployment = await store.get<KubeObject & DeploymentStatusView>(
      DEPLOYMENT,
      req.namespace,
      req.name,
    );
    const owned = deployment && isOwnedBy(deployment, raw) ? deployment : undefined;
    await this.#writeStatus(raw, [...result.conditions, readyCondition(owned, generation)]);
  }

  async #reconcileLocal(
    raw: KubeObject,
    server: MCPServer,
    refs: ReferencedObjects,
    local: LocalModeOptions,
    ctx: ReconcileContext,
  ): Promise<void> {
    const { name = '', namespace = '' } = server.metadata;
    const generation = raw.metadata.generation;
    const host = local.host ?? '127.0.0.1';
    // Images mean nothing here: any command is acceptable without a default image for it.
    const command = server.spec.deployment.cmd?.trim() ?? '';
    const result = translateMCPServer(server, refs, {
      ...this.#options.translate,
      defaultImages: {
        ...this.#options.translate?.defaultImages,
        ...(command !== '' ? { [command.split('/').pop() ?? command]: 'local-process' } : {}),
      },
    });
    const [accepted, resolved] = result.conditions;
    let programmed: ConditionInput;
    let planned: LocalWorkloadResult | undefined;
    if (result.ok) {
      const port = local.workloads.status(namespace, name)?.port || (await findFreePort(host));
      planned = localWorkloadSpec(server, refs, port, { adapter: local.adapter, host });
      if (planned.ok) {
        await local.workloads.apply(planned.spec);
        programmed = cond(
          'Programmed',
          true,
          'ProcessStarted',
          `${planned.transport} process started`,
          generation,
        );
      } else programmed = cond('Programmed', false, planned.reason, planned.message, generation);
    } else {
      const p = result.conditions.find((c) => c.type === 'Programmed');
      programmed = cond(
        'Programmed',
        false,
        p?.reason ?? 'NotProgrammed',
        p?.message ?? 'not programmed',
        generation,
      );
      ctx.logger.info('MCPServer not programmed; keeping what runs');
    }
    const workload = local.workloads.status(namespace, name);
    const url =
      workload && planned?.ok
        ? localMcpUrl(host, workload.port, planned.path, planned.scheme)
        : workload
          ? localUrlOf(raw)
          : undefined;
    const ready = processReady(workload, url, generation);
    const wasReady = (raw['status'] as { conditions?: Condition[] } | undefined)?.conditions?.find(
      (c) => c.type === 'Ready',
    );
    if (ready.status === 'True' && (wasReady?.status !== 'True' || localUrlOf(raw) !== url))
      ctx.logger.info({ url }, 'MCP server ready');
    await this.#writeStatus(
      raw,
      [...(accepted ? [accepted] : []), ...(resolved ? [resolved] : []), programmed, ready],
      url ? { [LOCAL_URL_STATUS_FIELD]: url } : {},
    );
  }

  /**
   * Deletes children left by an MCPServer that is gone (the garbage collector does this on a
   * cluster; this covers clusters and restarts where it has not yet) or by an earlier MCPServer
   * of the same name (another uid). Local mode stops the process instead.
   */
  async #cleanUp(
    namespace: string,
    name: string,
    currentUid: string | undefined,
    ctx: ReconcileContext,
  ): Promise<void> {
    const { store, local } = this.#options;
    if (local) {
      if (currentUid === undefined && (await local.workloads.delete(namespace, name)))
        ctx.logger.info('MCPServer deleted, process stopped');
      return;
    }
    for (const kind of OWNED_KINDS) {
      const children = await store.list(kind, { namespace, labels: { [MCP_SERVER_LABEL]: name } });
      for (const child of children) {
        if (child.metadata.deletionTimestamp) continue;
        const owner = child.metadata.ownerReferences?.find((r) => r.controller);
        if (!owner || owner.kind !== MCP_SERVER.kind || owner.name !== name) continue;
        if (!owner.apiVersion.startsWith('kagent.dev/') || owner.uid === currentUid) continue;
        if (await store.delete(kind, namespace, child.metadata.name ?? ''))
          ctx.logger.info(
            { child: `${kind.kind}/${child.metadata.name}` },
            'deleted child of a removed MCPServer',
          );
      }
    }
  }

  async #referencedObjects(server: MCPServer): Promise<ReferencedObjects> {
    const { store } = this.#options;
    const namespace = server.metadata.namespace ?? '';
    const names = referencedNames(server);
    const read = async (kind: typeof SECRET, list: readonly string[]): Promise<ReferencedObject[]> => {
      const found = await Promise.all(list.map((n) => store.get(kind, namespace, n)));
      return found.filter((o): o is KubeObject => o !== undefined);
    };
    return {
      secrets: await read(SECRET, names.secrets),
      configMaps: await read(CONFIG_MAP, names.configMaps),
    };
  }

  /** The MCPServers in the object's namespace that reference it (a Secret or ConfigMap). */
  async #referencing(obj: KubeObject): Promise<ObjectRef[]> {
    const namespace = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    const servers = await this.#options.store.list(MCP_SERVER, { namespace });
    const out: ObjectRef[] = [];
    for (const raw of servers) {
      const parsed = parseMCPServer(raw);
      if (!parsed.ok) continue;
      const names = referencedNames(parsed.value);
      const list = obj.kind === 'Secret' ? names.secrets : names.configMaps;
      if (list.includes(name)) out.push({ kind: MCP_SERVER.kind, namespace, name: raw.metadata.name ?? '' });
    }
    return out;
  }

  async #writeStatus(
    raw: KubeObject,
    conditions: readonly ConditionInput[],
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const current = (raw['status'] ?? {}) as { conditions?: Condition[] };
    const status: Record<string, unknown> = {
      ...extra,
      conditions: mergeConditions(current.conditions, conditions),
    };
    if (raw.metadata.generation !== undefined) status['observedGeneration'] = raw.metadata.generation;
    await updateStatus(this.#options.store, raw, status);
  }
}

function processReady(
  workload: WorkloadStatus | undefined,
  url: string | undefined,
  generation: number | undefined,
): ConditionInput {
  if (!workload) return cond('Ready', false, 'ProcessNotStarted', 'no process runs', generation);
  if (workload.ready)
    return cond('Ready', true, 'ProcessReady', `serving MCP at ${url ?? workload.url}`, generation);
  if (workload.phase === 'BackOff')
    return cond(
      'Ready',
      false,
      'ProcessBackOff',
      `process exited (code ${String(workload.lastExitCode ?? workload.lastExitSignal ?? 'unknown')})${
        workload.lastError ? `: ${workload.lastError}` : ''
      }; restarting`,
      generation,
    );
  return cond('Ready', false, 'ProcessStarting', 'process started, not answering yet', generation);
}

function cond(
  type: ConditionInput['type'],
  ok: boolean,
  reason: string,
  message: string,
  generation: number | undefined,
): ConditionInput {
  return {
    type,
    status: ok ? 'True' : 'False',
    reason,
    message,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
}

function isOwnedBy(child: KubeObject, owner: KubeObject): boolean {
  return (child.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === owner.metadata.uid);
}

function describe(ref: ObjectRef): string {
  return `${ref.kind}/${ref.name}`;
}
