import {
  remoteAgentToolName,
  translateAgent,
  type ObjectReference,
  type ReferenceKind,
  type TranslateOptions,
} from '@agentplane/agent-translate';
import type { AgentRepository } from '@agentplane/db';
import {
  applyChildren,
  Controller,
  generationChangedFilter,
  mergeConditions,
  objectKey,
  stableHash,
  updateStatus,
  type Condition,
  type KubeObject,
  type ObjectRef,
  type ResourceStore,
} from '@agentplane/k8s';
import type { Logger, Registry } from '@agentplane/telemetry';
import { acceptedAgentCondition, readyCondition } from './agent-status.js';
import { resolveThroughCache } from './cache-resolver.js';
import { canonicalChild } from './canonical-children.js';
import { AGENT, DEPLOYMENT, SECRET, SERVICE, SERVICE_ACCOUNT } from '@agentplane/k8s/kinds';
import { REFERENCE_KINDS } from './kinds.js';
import { ReferenceIndex } from './reference-index.js';

/** The kinds an Agent owns: pruned when no longer desired. */
export const AGENT_OWNED_KINDS = [SECRET, SERVICE_ACCOUNT, DEPLOYMENT, SERVICE] as const;

/** Concurrent Agent reconciles unless told otherwise (the controller's `--workers` default). */
export const DEFAULT_AGENT_WORKERS = 8;

export interface AgentControllerOptions {
  store: ResourceStore;
  /** Runtime image, controller URL, ...: what shapes every agent's objects. */
  translate: TranslateOptions;
  /** The database's agent table; each reconciled Agent is upserted, a deleted one soft-deleted. */
  agents?: AgentRepository;
  /** Concurrent reconciles. Default {@link DEFAULT_AGENT_WORKERS}. */
  workers?: number;
  registry?: Registry;
  logger?: Logger;
}

type StoredAgent = KubeObject & { spec?: { type?: string }; status?: { conditions?: Condition[] } };

/**
 * Agent: resolves what the Agent references through the cache, translates it (pure), applies
 * Secret/ServiceAccount/Deployment/Service (pruning what is no longer desired), records the
 * agent in the database and writes `Accepted`, `Ready` and `observedGeneration`. What each
 * Agent read is indexed, so a change to any of it (ModelConfig, Secret, ConfigMap, tool server,
 * Service, other Agent, Namespace) re-queues exactly the Agents that read it.
 */
export function createAgentController(options: AgentControllerOptions): Controller {
  const { store } = options;
  const index = new ReferenceIndex();
  /** Hash of what was last written to the database per agent, to skip identical upserts. */
  const recorded = new Map<string, string>();
  const watched: ReferenceKind[] = [
    'ModelConfig',
    'Secret',
    'ConfigMap',
    'RemoteMCPServer',
    'MCPServer',
    'Service',
    'Agent',
    'Namespace',
  ];

  return new Controller({
    name: 'agent',
    source: store,
    for: AGENT,
    owns: AGENT_OWNED_KINDS,
    watches: watched.map((kind) => ({ kind: REFERENCE_KINDS[kind], map: index.mapperFor(kind) })),
    filter: generationChangedFilter,
    workers: options.workers ?? DEFAULT_AGENT_WORKERS,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    reconcile: async (req, ctx) => {
      const key = objectKey(req);
      const dbId = remoteAgentToolName(req.namespace, req.name);
      const agent = await store.get<StoredAgent>(AGENT, req.namespace, req.name);
      if (!agent || agent.metadata.deletionTimestamp) {
        // Owned objects are garbage collected by Kubernetes.
        index.delete(key);
        if (options.agents && recorded.get(dbId) !== 'deleted') {
          await options.agents.softDelete(dbId);
          recorded.set(dbId, 'deleted');
        }
        return;
      }
      const generation = agent.metadata.generation ?? 0;
      const { value: result, snapshot } = await resolveThroughCache(store, (resolve) =>
        translateAgent({ agent, namespace: req.namespace, resolve, options: options.translate }),
      );
      index.set(key, withSelf(result.references, req));

      if (result.ok) {
        const applied = await applyChildren({
          source: store,
          writer: store,
          owner: agent,
          desired: (result.outputs.manifest as unknown as KubeObject[]).map(canonicalChild),
          ownedKinds: AGENT_OWNED_KINDS,
        });
        if (applied.applied.length > 0 || applied.pruned.length > 0) {
          ctx.logger.info(
            { applied: applied.applied.map(objectKey), pruned: applied.pruned.map(objectKey) },
            'agent objects updated',
          );
        }
        if (options.agents) {
          const row = { id: dbId, type: agent.spec?.type ?? 'Declarative', config: result.outputs.config };
          const hash = stableHash(row, 32);
          if (recorded.get(dbId) !== hash) {
            await options.agents.upsert(row);
            recorded.set(dbId, hash);
          }
        }
      } else {
        ctx.logger.info({ reason: result.reason, field: result.field }, 'agent not accepted');
      }

      const deployment = await store.get(DEPLOYMENT, req.namespace, req.name);
      const conditions = mergeConditions(agent.status?.conditions, [
        acceptedAgentCondition(result, generation),
        readyCondition(deployment, generation),
      ]);
      await updateStatus(store, agent, { observedGeneration: generation, conditions });
      // Something read changed while reconciling (its event may have found the index without
      // this Agent's new references): run once more.
      if (await snapshot.changed()) return { requeue: true };
      return;
    },
  });
}

/** The Agent's own key is not a reference; keep the index to what it read. */
function withSelf(references: readonly ObjectReference[], req: ObjectRef): ObjectReference[] {
  return references.filter(
    (r) => !(r.kind === 'Agent' && r.namespace === req.namespace && r.name === req.name),
  );
}
