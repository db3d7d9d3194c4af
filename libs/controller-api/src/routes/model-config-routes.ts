import {
  MODEL_PROVIDERS,
  PROVIDER_BLOCKS,
  parseModelConfig,
  type ModelProvider,
} from '@agentplane/crds/kagent';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { isWatched, type ApiContext } from '../api-context.js';
import { ApiError } from '../api-error.js';
import { formatRef, parseRef } from '../agent-id.js';
import type { ObjectRef } from '../agent-resolver.js';
import { applyResource } from '../apply-resource.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../managed-labels.js';
import { RESOURCE_API_VERSIONS, type StoredResource } from '../resource-store.js';
import { respond } from '../respond.js';
import { validate, validationError } from '../validate.js';
import { modelConfigWire } from '../wire/model-config-wire.js';

const paramsBlock = z.record(z.string(), z.unknown()).optional();

const commonFields = {
  provider: z.object(
    { name: z.string().optional(), type: z.enum(MODEL_PROVIDERS) },
    { error: 'is required' },
  ),
  model: z.string({ error: 'is required' }).min(1, 'must not be empty'),
  apiKeySecret: z.string().optional(),
  apiKeySecretKey: z.string().optional(),
  apiKeyPassthrough: z.boolean().optional(),
  tls: z.record(z.string(), z.unknown()).optional(),
  defaultHeaders: z.record(z.string(), z.string()).optional(),
  ...Object.fromEntries(Object.values(PROVIDER_BLOCKS).map((block) => [block, paramsBlock])),
};

const createSchema = z.object({
  ref: z.string({ error: 'is required' }).min(1, 'must not be empty'),
  apiKey: z.string().optional(),
  ...commonFields,
});

const updateSchema = z.object({ apiKey: z.string().nullish(), ...commonFields });

type ModelConfigFields = z.infer<typeof updateSchema>;

function pathRef(req: Request): ObjectRef {
  return { namespace: String(req.params['namespace']), name: String(req.params['name']) };
}

/** kagent's key name for a provider's API key in the Secret it creates. */
function apiKeyName(provider: ModelProvider): string {
  return `${provider.toUpperCase()}_API_KEY`;
}

/** The ModelConfig for the request's fields, validated by the CRD schema (paths as in the request). */
function buildModelConfig(
  ref: ObjectRef,
  fields: ModelConfigFields,
  secret: { name: string; key: string } | undefined,
): StoredResource {
  const block = PROVIDER_BLOCKS[fields.provider.type];
  const params = (fields as Record<string, unknown>)[block];
  const spec: Record<string, unknown> = {
    provider: fields.provider.type,
    model: fields.model,
    ...(secret ? { apiKeySecret: secret.name, apiKeySecretKey: secret.key } : {}),
    ...(fields.apiKeyPassthrough !== undefined ? { apiKeyPassthrough: fields.apiKeyPassthrough } : {}),
    ...(fields.tls ? { tls: fields.tls } : {}),
    ...(fields.defaultHeaders ? { defaultHeaders: fields.defaultHeaders } : {}),
    ...(params !== undefined ? { [block]: params } : {}),
  };
  const object: StoredResource = {
    apiVersion: RESOURCE_API_VERSIONS.ModelConfig,
    kind: 'ModelConfig',
    metadata: { name: ref.name, namespace: ref.namespace },
    spec,
  };
  const parsed = parseModelConfig(object);
  if (!parsed.ok) {
    throw validationError(
      parsed.error.issues.map((i) => ({ path: i.path.replace(/^spec\./, ''), message: i.message })),
    );
  }
  return { ...object, spec: parsed.value.spec };
}

function secretObject(owner: StoredResource, name: string, key: string, value: string): StoredResource {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      ...(owner.metadata.uid
        ? {
            ownerReferences: [
              {
                apiVersion: owner.apiVersion,
                kind: owner.kind,
                name: owner.metadata.name,
                uid: owner.metadata.uid,
                controller: true,
              },
            ],
          }
        : {}),
    },
    stringData: { [key]: value },
  };
}

/** Model configs: ModelConfig resources plus the Secret holding the API key. */
export function modelConfigRoutes(ctx: ApiContext): Router {
  const router = Router();
  const { resources } = ctx;

  const getOrThrow = async (ref: ObjectRef): Promise<StoredResource> => {
    const found = isWatched(ctx, ref.namespace)
      ? await resources.get({ kind: 'ModelConfig', ...ref })
      : undefined;
    if (!found) throw ApiError.notFound(`model config ${formatRef(ref)}`);
    return found;
  };

  router.get('/api/modelconfigs', async (_req, res) => {
    const list = (await resources.list('ModelConfig')).filter((m) => isWatched(ctx, m.metadata.namespace));
    respond(res, 200, list.map(modelConfigWire), 'Successfully listed ModelConfigs');
  });

  router.get('/api/modelconfigs/:namespace/:name', async (req, res) => {
    respond(res, 200, modelConfigWire(await getOrThrow(pathRef(req))), 'Successfully retrieved ModelConfig');
  });

  router.post('/api/modelconfigs', async (req, res) => {
    const body = validate(createSchema, req.body);
    const ref = parseRef(body.ref, ctx.defaultNamespace);
    if (!ref) throw ApiError.invalidField('ref', 'must be namespace/name or name');
    const withKey = body.provider.type !== 'Ollama' && body.apiKey !== undefined && body.apiKey !== '';
    const secret = withKey
      ? { name: ref.name, key: apiKeyName(body.provider.type) }
      : body.apiKeySecret
        ? { name: body.apiKeySecret, key: body.apiKeySecretKey ?? apiKeyName(body.provider.type) }
        : undefined;
    const modelConfig = buildModelConfig(ref, body, secret);
    const stored = await applyResource(ctx, modelConfig, { createOnly: true });
    if (withKey && secret && body.apiKey !== undefined) {
      await applyResource(ctx, secretObject(stored, secret.name, secret.key, body.apiKey));
    }
    respond(res, 201, stored, 'Successfully created ModelConfig');
  });

  router.put('/api/modelconfigs/:namespace/:name', async (req, res) => {
    const ref = pathRef(req);
    const body = validate(updateSchema, req.body);
    const existing = (await getOrThrow(ref)).spec as { apiKeySecret?: string; apiKeySecretKey?: string };
    const withKey = body.provider.type !== 'Ollama' && typeof body.apiKey === 'string' && body.apiKey !== '';
    const secretName = body.apiKeySecret ?? existing.apiKeySecret ?? (withKey ? ref.name : undefined);
    const secret =
      secretName !== undefined
        ? {
            name: secretName,
            key: body.apiKeySecretKey ?? existing.apiKeySecretKey ?? apiKeyName(body.provider.type),
          }
        : undefined;
    const stored = await applyResource(ctx, buildModelConfig(ref, body, secret), { mustExist: true });
    if (withKey && secret && typeof body.apiKey === 'string') {
      await applyResource(ctx, secretObject(stored, secret.name, secret.key, body.apiKey));
    }
    respond(res, 200, modelConfigWire(stored), 'Successfully updated ModelConfig');
  });

  router.delete('/api/modelconfigs/:namespace/:name', async (req, res) => {
    const ref = pathRef(req);
    const existing = await getOrThrow(ref);
    await resources.delete({ kind: 'ModelConfig', ...ref });
    // The API-key Secret this API created goes with it (in a cluster, garbage collection does the
    // same through the owner reference; a local folder has no garbage collector).
    const secretName = (existing.spec as { apiKeySecret?: string }).apiKeySecret;
    if (secretName) {
      const secret = await resources.get({ kind: 'Secret', namespace: ref.namespace, name: secretName });
      const owned =
        secret?.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && secretName === ref.name;
      if (owned) await resources.delete({ kind: 'Secret', namespace: ref.namespace, name: secretName });
    }
    respond(res, 200, {}, 'Successfully deleted ModelConfig');
  });

  return router;
}
