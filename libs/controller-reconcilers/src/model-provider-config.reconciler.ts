import { secretData } from '@agentplane/agent-translate';
import {
  parseModelProviderConfig,
  type ModelProvider,
  type ModelProviderConfigStatus,
} from '@agentplane/crds/kagent';
import {
  Controller,
  findCondition,
  generationChangedFilter,
  mergeConditions,
  objectKey,
  rfc3339,
  stableHash,
  updateStatus,
  type Condition,
  type ConditionInput,
  type KubeObject,
  type ResourceStore,
} from '@agentplane/k8s';
import type { Logger, Registry } from '@agentplane/telemetry';
import type { DiscoveryLoop } from './discovery-loop.js';
import { MODEL_PROVIDER_CONFIG, SECRET } from '@agentplane/k8s/kinds';
import { listProviderModels } from './model-lister.js';
import { ReferenceIndex } from './reference-index.js';

/** Keys tried, in order, for the API key in `secretRef`'s Secret (else its only key). */
const KEY_NAMES: Partial<Record<ModelProvider, string>> = {
  OpenAI: 'OPENAI_API_KEY',
  AzureOpenAI: 'AZURE_OPENAI_API_KEY',
  Anthropic: 'ANTHROPIC_API_KEY',
  Gemini: 'GOOGLE_API_KEY',
};
const GENERIC_KEYS = ['apiKey', 'api-key', 'api_key', 'key', 'token'];

/** The API key in a provider Secret, or why there is none. */
export function providerApiKey(provider: ModelProvider, data: Record<string, string>): string | undefined {
  for (const name of [KEY_NAMES[provider], ...GENERIC_KEYS]) {
    if (name && data[name] !== undefined) return data[name];
  }
  const keys = Object.keys(data);
  return keys.length === 1 ? data[keys[0] ?? ''] : undefined;
}

export interface ModelProviderConfigControllerOptions {
  store: ResourceStore;
  /** Model discovery runs here, off the reconcile path. */
  discovery: DiscoveryLoop<string[]>;
  /** Deadline of one models request. Default 30 s. */
  timeoutMs?: number;
  workers?: number;
  registry?: Registry;
  logger?: Logger;
  fetch?: typeof fetch;
}

type StoredProviderConfig = KubeObject & { status?: ModelProviderConfigStatus };

/**
 * ModelProviderConfig: resolves `secretRef`, discovers the provider's models (`/v1/models` for
 * OpenAI-compatible endpoints, Anthropic's models list, ...) in the discovery loop, and writes
 * `SecretResolved`, `ModelsDiscovered`, `Ready`, `discoveredModels`, `modelCount`,
 * `lastDiscoveryTime` and `secretHash`.
 */
export function createModelProviderConfigController(
  options: ModelProviderConfigControllerOptions,
): Controller {
  const { store, discovery } = options;
  const index = new ReferenceIndex();
  return new Controller({
    name: 'modelproviderconfig',
    source: store,
    for: MODEL_PROVIDER_CONFIG,
    watches: [
      {
        kind: SECRET,
        map: index.mapperFor('Secret'),
      },
    ],
    filter: generationChangedFilter,
    workers: options.workers ?? 1,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    reconcile: async (req) => {
      const key = objectKey(req);
      const obj = await store.get<StoredProviderConfig>(MODEL_PROVIDER_CONFIG, req.namespace, req.name);
      if (!obj || obj.metadata.deletionTimestamp) {
        index.delete(key);
        discovery.cancel(key);
        return;
      }
      const generation = obj.metadata.generation ?? 0;
      const current = obj.status;
      const conditions: ConditionInput[] = [];
      const write = (fields: Record<string, unknown>): Promise<boolean> =>
        updateStatus(store, obj, {
          observedGeneration: generation,
          ...fields,
          conditions: mergeConditions(current?.conditions as Condition[] | undefined, conditions),
        });
      const notReady = (reason: string, message: string): ConditionInput => ({
        type: 'Ready',
        status: 'False',
        reason,
        message,
        observedGeneration: generation,
      });

      const parsed = parseModelProviderConfig(obj);
      if (!parsed.ok) {
        discovery.cancel(key);
        index.delete(key);
        const first = parsed.error.issues[0];
        conditions.push(notReady('InvalidSpec', first ? `${first.path}: ${first.message}` : 'invalid'));
        await write({});
        return;
      }
      const spec = parsed.value.spec;
      let apiKey: string | undefined;
      const secretName = spec.secretRef?.name;
      if (secretName) {
        index.set(key, [{ kind: 'Secret', namespace: req.namespace, name: secretName }]);
        const secret = await store.get(SECRET, req.namespace, secretName);
        apiKey = secret ? providerApiKey(spec.type, secretData(secret)) : undefined;
        if (apiKey === undefined) {
          const message = secret
            ? `spec.secretRef.name: Secret ${req.namespace}/${secretName} has no API key (use key ${KEY_NAMES[spec.type] ?? 'apiKey'})`
            : `spec.secretRef.name: Secret ${req.namespace}/${secretName} not found`;
          discovery.cancel(key);
          conditions.push(
            {
              type: 'SecretResolved',
              status: 'False',
              reason: 'SecretNotFound',
              message,
              observedGeneration: generation,
            },
            notReady('SecretNotResolved', message),
          );
          await write({});
          return;
        }
        conditions.push({
          type: 'SecretResolved',
          status: 'True',
          reason: 'SecretResolved',
          message: 'API key found',
          observedGeneration: generation,
        });
      } else {
        index.delete(key);
        conditions.push({
          type: 'SecretResolved',
          status: 'True',
          reason: 'NoSecretNeeded',
          message: 'no API key needed',
          observedGeneration: generation,
        });
      }
      const secretHash = stableHash(apiKey ?? '', 16);
      const task = {
        key,
        fingerprint: stableHash({ type: spec.type, endpoint: spec.endpoint ?? '', secretHash }, 32),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        run: (signal: AbortSignal) =>
          listProviderModels({
            provider: spec.type,
            ...(spec.endpoint ? { endpoint: spec.endpoint } : {}),
            ...(apiKey ? { apiKey } : {}),
            signal,
            ...(options.fetch ? { fetch: options.fetch } : {}),
          }),
      };
      if (
        current?.observedGeneration === generation &&
        current.secretHash === secretHash &&
        current.discoveredModels &&
        current.lastDiscoveryTime &&
        findCondition(current.conditions as Condition[] | undefined, 'ModelsDiscovered')?.status === 'True'
      ) {
        discovery.seed(task, current.discoveredModels, new Date(current.lastDiscoveryTime));
      }
      discovery.submit(task);
      const outcome = discovery.outcome(key);
      const fields: Record<string, unknown> = { secretHash };
      if (outcome?.value && outcome.succeededAt) {
        fields['discoveredModels'] = outcome.value;
        fields['modelCount'] = outcome.value.length;
        fields['lastDiscoveryTime'] = rfc3339(outcome.succeededAt);
      }
      if (outcome?.state === 'failed') {
        const message = `model discovery failed: ${outcome.error ?? 'unknown error'}`;
        conditions.push(
          {
            type: 'ModelsDiscovered',
            status: 'False',
            reason: 'DiscoveryFailed',
            message,
            observedGeneration: generation,
          },
          notReady('ModelsNotDiscovered', message),
        );
      } else if (outcome?.state === 'succeeded') {
        conditions.push(
          {
            type: 'ModelsDiscovered',
            status: 'True',
            reason: 'ModelsDiscovered',
            message: `${outcome.value?.length ?? 0} models`,
            observedGeneration: generation,
          },
          {
            type: 'Ready',
            status: 'True',
            reason: 'Ready',
            message: 'models discovered',
            observedGeneration: generation,
          },
        );
      } else {
        conditions.push(
          {
            type: 'ModelsDiscovered',
            status: 'Unknown',
            reason: 'DiscoveryPending',
            message: 'discovering models',
            observedGeneration: generation,
          },
          notReady('ModelsNotDiscovered', 'discovering models'),
        );
      }
      await write(fields);
      return;
    },
  });
}
