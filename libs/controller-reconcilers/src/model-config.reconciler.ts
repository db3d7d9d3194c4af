import { TranslationError, translateModelConfig } from '@agentplane/agent-translate';
import { parseModelConfig } from '@agentplane/crds/kagent';
import {
  Controller,
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
import { MODEL_CONFIG, SECRET } from '@agentplane/k8s/kinds';
import { ReferenceIndex } from './reference-index.js';
import { acceptedCondition } from './tool-discovery.js';

export interface ModelConfigControllerOptions {
  store: ResourceStore;
  workers?: number;
  registry?: Registry;
  logger?: Logger;
}

type StoredModelConfig = KubeObject & { status?: { conditions?: Condition[] } };

/**
 * ModelConfig: validates the spec and resolves its Secrets (API key, CA bundle) the way an
 * agent's translation does, then writes `Accepted` and `secretHash` (a hash of the Secret
 * values agents read; it changes when the key is rotated).
 */
export function createModelConfigController(options: ModelConfigControllerOptions): Controller {
  const { store } = options;
  const index = new ReferenceIndex();
  return new Controller({
    name: 'modelconfig',
    source: store,
    for: MODEL_CONFIG,
    watches: [
      {
        kind: SECRET,
        map: index.mapperFor('Secret'),
      },
    ],
    filter: generationChangedFilter,
    workers: options.workers ?? 2,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    reconcile: async (req) => {
      const key = objectKey(req);
      const obj = await store.get<StoredModelConfig>(MODEL_CONFIG, req.namespace, req.name);
      if (!obj || obj.metadata.deletionTimestamp) {
        index.delete(key);
        return;
      }
      const generation = obj.metadata.generation ?? 0;
      const parsed = parseModelConfig(obj);
      let outcome: { ok: true; secretHash: string } | { ok: false; message: string };
      let changed = (): Promise<boolean> => Promise.resolve(false);
      if (!parsed.ok) {
        index.delete(key);
        const first = parsed.error.issues[0];
        outcome = {
          ok: false,
          message: first ? (first.path ? `${first.path}: ${first.message}` : first.message) : 'invalid',
        };
      } else {
        parsed.value.metadata.namespace ||= req.namespace;
        const { value, snapshot } = await resolveThroughCache(store, (resolver) => {
          try {
            const model = translateModelConfig(parsed.value, resolver, '');
            return { ok: true as const, secretHash: stableHash(model.secretValues, 16) };
          } catch (err) {
            if (err instanceof TranslationError) return { ok: false as const, message: err.message };
            throw err;
          }
        });
        index.set(key, snapshot.references);
        outcome = value;
        changed = () => snapshot.changed();
      }
      const status: Record<string, unknown> = {
        observedGeneration: generation,
        conditions: setCondition(
          obj.status?.conditions,
          acceptedCondition(outcome.ok, outcome.ok ? 'ModelConfig reconciled' : outcome.message, generation),
        ),
      };
      if (outcome.ok) status['secretHash'] = outcome.secretHash;
      await updateStatus(store, obj, status);
      if (await changed()) return { requeue: true };
      return;
    },
  });
}
