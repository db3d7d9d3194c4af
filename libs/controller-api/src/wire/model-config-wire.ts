import { PROVIDER_BLOCKS, type ModelProvider } from '@agentplane/crds/kagent';
import type { StoredResource } from '../resource-store.js';

/** kagent's `ModelConfigResponse`: the API key itself is never part of it. */
export interface ModelConfigWire {
  ref: string;
  providerName: string;
  model: string;
  apiKeySecret: string;
  apiKeySecretKey: string;
  apiKeyPassthrough?: boolean;
  modelParams: Record<string, unknown>;
  tls?: unknown;
  defaultHeaders?: Record<string, string>;
}

interface ModelConfigSpecView {
  provider?: ModelProvider;
  model?: string;
  apiKeySecret?: string;
  apiKeySecretKey?: string;
  apiKeyPassthrough?: boolean;
  tls?: unknown;
  defaultHeaders?: Record<string, string>;
  [block: string]: unknown;
}

export function modelConfigWire(resource: StoredResource): ModelConfigWire {
  const spec = (resource.spec ?? {}) as ModelConfigSpecView;
  const modelParams: Record<string, unknown> = {};
  for (const block of Object.values(PROVIDER_BLOCKS)) {
    const params = spec[block];
    if (typeof params === 'object' && params !== null) Object.assign(modelParams, params);
  }
  return {
    ref: `${resource.metadata.namespace}/${resource.metadata.name}`,
    providerName: spec.provider ?? '',
    model: spec.model ?? '',
    apiKeySecret: spec.apiKeySecret ?? '',
    apiKeySecretKey: spec.apiKeySecretKey ?? '',
    ...(spec.apiKeyPassthrough ? { apiKeyPassthrough: true } : {}),
    modelParams,
    ...(spec.tls !== undefined ? { tls: spec.tls } : {}),
    ...(spec.defaultHeaders !== undefined ? { defaultHeaders: spec.defaultHeaders } : {}),
  };
}
