import { MODEL_PROVIDERS, PROVIDER_BLOCKS, modelConfigSpecSchema } from '@agentplane/crds/kagent';
import { Router } from 'express';
import { z } from 'zod';
import { isWatched, type ApiContext } from '../api-context.js';
import { ApiError } from '../api-error.js';
import type { StoredResource } from '../resource-store.js';
import { respond } from '../respond.js';

interface ProviderInfo {
  name: string;
  type: string;
  requiredParams: string[];
  optionalParams: string[];
}

/** Each provider's parameters, read from the ModelConfig schema's provider blocks. */
function supportedProviders(): ProviderInfo[] {
  const shape = modelConfigSpecSchema.shape as Record<string, z.ZodType>;
  return MODEL_PROVIDERS.map((provider) => {
    let block: z.ZodType | undefined = shape[PROVIDER_BLOCKS[provider]];
    if (block instanceof z.ZodOptional) block = block.unwrap() as z.ZodType;
    const fields = block instanceof z.ZodObject ? (block.shape as Record<string, z.ZodType>) : {};
    const requiredParams: string[] = [];
    const optionalParams: string[] = [];
    for (const [key, schema] of Object.entries(fields)) {
      (schema.safeParse(undefined).success ? optionalParams : requiredParams).push(key);
    }
    return { name: provider, type: provider, requiredParams, optionalParams };
  });
}

interface ProviderStatus {
  conditions?: { type?: string; status?: string }[];
  discoveredModels?: string[];
  modelCount?: number;
  lastDiscoveryTime?: string;
}

function configuredWire(resource: StoredResource): Record<string, unknown> {
  const spec = (resource.spec ?? {}) as { type?: string; endpoint?: string; secretRef?: { name?: string } };
  const status = (resource.status ?? {}) as ProviderStatus;
  return {
    name: resource.metadata.name,
    namespace: resource.metadata.namespace,
    ref: `${resource.metadata.namespace}/${resource.metadata.name}`,
    type: spec.type ?? '',
    endpoint: spec.endpoint ?? '',
    ...(spec.secretRef?.name ? { secretRef: { name: spec.secretRef.name } } : {}),
    ready: (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    modelCount: status.modelCount ?? status.discoveredModels?.length ?? 0,
    ...(status.lastDiscoveryTime ? { lastDiscoveryTime: status.lastDiscoveryTime } : {}),
  };
}

/** Model providers (supported and configured) and the models known for them. */
export function providerRoutes(ctx: ApiContext): Router {
  const router = Router();
  const providers = supportedProviders();

  const configured = async (): Promise<StoredResource[]> =>
    (await ctx.resources.list('ModelProviderConfig')).filter((p) => isWatched(ctx, p.metadata.namespace));

  router.get('/api/modelproviderconfigs/models', (_req, res) => {
    respond(res, 200, providers, 'Successfully listed supported model providers');
  });

  router.get('/api/modelproviderconfigs/configured', async (_req, res) => {
    respond(res, 200, (await configured()).map(configuredWire), 'Successfully listed configured providers');
  });

  router.get('/api/modelproviderconfigs/configured/:name/models', async (req, res) => {
    const name = String(req.params['name']);
    const namespace = typeof req.query['namespace'] === 'string' ? req.query['namespace'] : undefined;
    const found = (await configured()).find(
      (p) => p.metadata.name === name && (namespace === undefined || p.metadata.namespace === namespace),
    );
    if (!found) throw ApiError.notFound(`model provider config ${name}`);
    const models = ((found.status ?? {}) as ProviderStatus).discoveredModels ?? [];
    respond(res, 200, models, 'Successfully listed provider models');
  });

  router.get('/api/models', async (_req, res) => {
    // Models by provider: what providers discovered, plus the models model configs name.
    const byProvider = new Map<string, Set<string>>();
    const add = (provider: string | undefined, model: string | undefined): void => {
      if (!provider || !model) return;
      const set = byProvider.get(provider) ?? new Set<string>();
      set.add(model);
      byProvider.set(provider, set);
    };
    for (const p of await configured()) {
      const type = (p.spec as { type?: string } | undefined)?.type;
      for (const model of ((p.status ?? {}) as ProviderStatus).discoveredModels ?? []) add(type, model);
    }
    for (const m of await ctx.resources.list('ModelConfig')) {
      if (!isWatched(ctx, m.metadata.namespace)) continue;
      const spec = (m.spec ?? {}) as { provider?: string; model?: string };
      add(spec.provider, spec.model);
    }
    const out: Record<string, { name: string; function_calling: boolean }[]> = {};
    for (const [provider, models] of [...byProvider].sort(([a], [b]) => a.localeCompare(b))) {
      out[provider] = [...models].sort().map((name) => ({ name, function_calling: true }));
    }
    respond(res, 200, out, 'Successfully listed supported models');
  });

  return router;
}
