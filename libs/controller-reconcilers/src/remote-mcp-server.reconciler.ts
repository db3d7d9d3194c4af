import { parseGoDuration, resolveHeaders, TranslationError } from '@agentplane/agent-translate';
import { parseRemoteMCPServer, type RemoteMCPServerStatus } from '@agentplane/crds/kagent';
import {
  Controller,
  findCondition,
  generationChangedFilter,
  objectKey,
  setCondition,
  stableHash,
  updateStatus,
  type Condition,
  type KubeObject,
  type ResourceStore,
} from '@agentplane/k8s';
import type { Logger, Registry } from '@agentplane/telemetry';
import { resolveThroughCache } from './cache-resolver.js';
import { CONFIG_MAP, REMOTE_MCP_SERVER, SECRET } from '@agentplane/k8s/kinds';
import { TOOL_SERVER_GROUP_KINDS } from './kinds.js';
import { ReferenceIndex } from './reference-index.js';
import {
  acceptedCondition,
  discoveredToolsStatus,
  forgetToolServer,
  toolDiscoveryTask,
  type ToolDiscovery,
} from './tool-discovery.js';

export interface RemoteMCPServerControllerOptions {
  store: ResourceStore;
  discovery: ToolDiscovery;
  workers?: number;
  registry?: Registry;
  logger?: Logger;
}

type StoredRemoteMCPServer = KubeObject & { status?: RemoteMCPServerStatus };

/**
 * RemoteMCPServer: validates the spec, resolves `headersFrom` from the cache, hands discovery
 * to the discovery loop (never waiting for it) and writes `Accepted`, `secretHash` and
 * `discoveredTools` from the latest outcome. A changed Secret or ConfigMap re-queues the
 * servers that read it.
 */
export function createRemoteMCPServerController(options: RemoteMCPServerControllerOptions): Controller {
  const { store, discovery } = options;
  const index = new ReferenceIndex();
  return new Controller({
    name: 'remotemcpserver',
    source: store,
    for: REMOTE_MCP_SERVER,
    watches: [
      { kind: SECRET, map: index.mapperFor('Secret') },
      { kind: CONFIG_MAP, map: index.mapperFor('ConfigMap') },
    ],
    filter: generationChangedFilter,
    workers: options.workers ?? 2,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    reconcile: async (req) => {
      const key = objectKey(req);
      const server = {
        name: `${req.namespace}/${req.name}`,
        groupKind: TOOL_SERVER_GROUP_KINDS.RemoteMCPServer,
      };
      const obj = await store.get<StoredRemoteMCPServer>(REMOTE_MCP_SERVER, req.namespace, req.name);
      if (!obj || obj.metadata.deletionTimestamp) {
        index.delete(key);
        await forgetToolServer(discovery, key, server);
        return;
      }
      const generation = obj.metadata.generation ?? 0;
      const fail = async (message: string): Promise<void> => {
        discovery.loop.cancel(key);
        await updateStatus(store, obj, {
          observedGeneration: generation,
          conditions: setCondition(
            obj.status?.conditions as Condition[] | undefined,
            acceptedCondition(false, message, generation),
          ),
        });
      };
      const parsed = parseRemoteMCPServer(obj);
      if (!parsed.ok) {
        index.delete(key);
        const first = parsed.error.issues[0];
        return fail(first ? (first.path ? `${first.path}: ${first.message}` : first.message) : 'invalid');
      }
      const spec = parsed.value.spec;
      const { value: headers, snapshot } = await resolveThroughCache(store, (resolver) => {
        try {
          return {
            ok: true as const,
            headers: resolveHeaders(resolver, req.namespace, spec.headersFrom, 'spec.headersFrom'),
          };
        } catch (err) {
          if (err instanceof TranslationError) return { ok: false as const, message: err.message };
          throw err;
        }
      });
      index.set(key, snapshot.references);
      if (!headers.ok) return fail(headers.message);
      const timeoutSeconds = parseGoDuration(spec.timeout);
      if (timeoutSeconds === undefined)
        return fail(`spec.timeout: "${spec.timeout}" is not a duration such as 30s or 5m`);

      const task = toolDiscoveryTask(
        key,
        { ...server, description: spec.description },
        { url: spec.url, protocol: spec.protocol, headers: headers.headers },
        timeoutSeconds > 0 ? timeoutSeconds * 1000 : undefined,
        discovery,
      );
      const secretHash = stableHash(headers.headers, 16);
      const current = obj.status;
      if (
        current?.observedGeneration === generation &&
        current.secretHash === secretHash &&
        current.discoveredTools &&
        findCondition(current.conditions as Condition[] | undefined, 'Accepted')?.status === 'True'
      ) {
        // Known from before a restart: no need to ask the server again before the next refresh.
        discovery.loop.seed(task, current.discoveredTools, new Date());
      }
      discovery.loop.submit(task);
      const outcome = discovery.loop.outcome(key);
      const status: Record<string, unknown> = { observedGeneration: generation, secretHash };
      if (outcome?.value) status['discoveredTools'] = discoveredToolsStatus(outcome.value);
      const unchangedSpec = current?.observedGeneration === generation && current.secretHash === secretHash;
      // While the first discovery after a restart runs, what the status says still holds.
      if (!(outcome?.state === 'pending' && unchangedSpec && current.conditions)) {
        const accepted =
          outcome?.state === 'failed'
            ? acceptedCondition(
                false,
                `tool discovery failed: ${outcome.error ?? 'unknown error'}`,
                generation,
              )
            : acceptedCondition(true, 'RemoteMCPServer reconciled', generation);
        status['conditions'] = setCondition(current?.conditions as Condition[] | undefined, accepted);
      }
      await updateStatus(store, obj, status);
      if (await snapshot.changed()) return { requeue: true };
      return;
    },
  });
}
