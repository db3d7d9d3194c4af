import type { EnvVar, ModelConfig, Volume, VolumeMount } from '@agentplane/crds/kagent';
import { sortedMap } from './go-json.js';
import type { ReferenceResolver } from './reference-resolver.js';
import { TranslationError } from './translation-error.js';
import { readSourceData } from './value-refs.js';

/** The `model` block of config.json plus what the agent's pod needs for it. */
export interface ModelTranslation {
  /** Keys in kagent's order (config.json is compared byte for byte). */
  model: Record<string, unknown>;
  env: EnvVar[];
  volumes: Volume[];
  volumeMounts: VolumeMount[];
  /** Secret values the pod reads (env, files): part of the config hash, so a change rolls the pods. */
  secretValues: string[];
}

/** Where a CA bundle from a Secret is mounted: `/etc/ssl/certs/custom/<secret>/<key>`. */
export const TLS_CA_MOUNT_ROOT = '/etc/ssl/certs/custom';

export function tlsCaVolume(secretName: string): { volume: Volume; mount: VolumeMount; dir: string } {
  const dir = `${TLS_CA_MOUNT_ROOT}/${secretName}`;
  const name = `tls-ca-${secretName}`;
  return {
    volume: { name, secret: { secretName, defaultMode: 0o444 } },
    mount: { name, mountPath: dir, readOnly: true },
    dir,
  };
}

const secretEnv = (name: string, secret: string, key: string, optional?: boolean): EnvVar => ({
  name,
  valueFrom: { secretKeyRef: { key, name: secret, ...(optional ? { optional: true } : {}) } },
});

/** Puts `value` at `key` unless it is undefined. */
function put(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) obj[key] = value;
}

/**
 * Translates a ModelConfig into the runtime's `model` block, env vars (provider keys from
 * Secrets), and CA volumes. `field` is the Agent field that names the ModelConfig, for errors.
 */
export function translateModelConfig(
  modelConfig: ModelConfig,
  resolver: ReferenceResolver,
  field: string,
): ModelTranslation {
  const spec = modelConfig.spec;
  const namespace = modelConfig.metadata.namespace ?? '';
  const ref = `ModelConfig ${namespace}/${modelConfig.metadata.name ?? ''}`;
  const fail = (path: string, detail: string): never => {
    throw new TranslationError('InvalidReference', field, `${ref}: ${path}: ${detail}`);
  };
  const num = (path: string, text: string | undefined): number | undefined => {
    if (text === undefined || text.trim() === '') return undefined;
    const n = Number(text);
    if (!Number.isFinite(n)) fail(path, `"${text}" is not a number`);
    return n;
  };
  const positive = (n: number | undefined): number | undefined => (n !== undefined && n > 0 ? n : undefined);

  const out: ModelTranslation = { model: {}, env: [], volumes: [], volumeMounts: [], secretValues: [] };

  /** Reads the API key Secret (it must exist and hold the key) and returns its name and key. */
  const apiKey = (): { secret: string; key: string } | undefined => {
    if (!spec.apiKeySecret || spec.apiKeyPassthrough) return undefined;
    const key = spec.apiKeySecretKey ?? '';
    const data = readSecret(spec.apiKeySecret, 'spec.apiKeySecret');
    if (key === '') {
      out.secretValues.push(
        ...Object.keys(data)
          .sort()
          .map((k) => `${k}=${data[k] ?? ''}`),
      );
      return { secret: spec.apiKeySecret, key };
    }
    const value = data[key];
    if (value === undefined) {
      throw new TranslationError(
        'SecretKeyNotFound',
        field,
        `${ref}: spec.apiKeySecretKey: Secret ${namespace}/${spec.apiKeySecret} has no key "${key}"`,
      );
    }
    out.secretValues.push(value);
    return { secret: spec.apiKeySecret, key };
  };
  const readSecret = (name: string, path: string): Record<string, string> => {
    try {
      return readSourceData(resolver, 'Secret', namespace, name, field);
    } catch (e) {
      if (e instanceof TranslationError) {
        throw new TranslationError(e.code, field, `${ref}: ${path}: Secret ${namespace}/${name} not found`);
      }
      throw e;
    }
  };

  // Fields every model type starts with (kagent's BaseModel).
  const base = (type: string, model: string = spec.model): Record<string, unknown> => {
    const m: Record<string, unknown> = { type, model };
    if (spec.defaultHeaders && Object.keys(spec.defaultHeaders).length > 0)
      m['headers'] = sortedMap(spec.defaultHeaders);
    if (spec.tls) {
      m['tls_insecure_skip_verify'] = spec.tls.disableVerify;
      if (spec.tls.caCertSecretRef && spec.tls.caCertSecretKey) {
        const data = readSecret(spec.tls.caCertSecretRef, 'spec.tls.caCertSecretRef');
        const pem = data[spec.tls.caCertSecretKey];
        if (pem === undefined) {
          throw new TranslationError(
            'SecretKeyNotFound',
            field,
            `${ref}: spec.tls.caCertSecretKey: Secret ${namespace}/${spec.tls.caCertSecretRef} has no key "${spec.tls.caCertSecretKey}"`,
          );
        }
        out.secretValues.push(pem);
        const { volume, mount, dir } = tlsCaVolume(spec.tls.caCertSecretRef);
        out.volumes.push(volume);
        out.volumeMounts.push(mount);
        m['tls_ca_cert_path'] = `${dir}/${spec.tls.caCertSecretKey}`;
      }
      m['tls_disable_system_cas'] = spec.tls.disableSystemCAs;
    }
    if (spec.apiKeyPassthrough) m['api_key_passthrough'] = true;
    return m;
  };

  const googleCredentials = (): void => {
    const key = apiKey();
    if (!key) return;
    out.env.push({ name: 'GOOGLE_APPLICATION_CREDENTIALS', value: `/creds/${key.key}` });
    out.volumes.push({ name: 'google-creds', secret: { secretName: key.secret } });
    out.volumeMounts.push({ name: 'google-creds', mountPath: '/creds' });
  };

  switch (spec.provider) {
    case 'OpenAI': {
      const key = apiKey();
      if (key) out.env.push(secretEnv('OPENAI_API_KEY', key.secret, key.key));
      const m = base('openai');
      const o = spec.openAI;
      m['base_url'] = o?.baseUrl ?? '';
      put(m, 'frequency_penalty', num('spec.openAI.frequencyPenalty', o?.frequencyPenalty));
      put(m, 'max_tokens', positive(o?.maxTokens));
      put(m, 'n', o?.n);
      put(m, 'presence_penalty', num('spec.openAI.presencePenalty', o?.presencePenalty));
      put(m, 'reasoning_effort', o?.reasoningEffort);
      put(m, 'seed', o?.seed);
      put(m, 'temperature', num('spec.openAI.temperature', o?.temperature));
      put(m, 'timeout', o?.timeout);
      put(m, 'top_p', num('spec.openAI.topP', o?.topP));
      if (o?.organization) {
        m['organization'] = o.organization;
        out.env.push({ name: 'OPENAI_ORGANIZATION', value: o.organization });
      }
      out.model = m;
      break;
    }
    case 'Anthropic': {
      const key = apiKey();
      if (key) out.env.push(secretEnv('ANTHROPIC_API_KEY', key.secret, key.key));
      const m = base('anthropic');
      const a = spec.anthropic;
      put(m, 'base_url', a?.baseUrl || undefined);
      put(m, 'max_tokens', positive(a?.maxTokens));
      put(m, 'temperature', num('spec.anthropic.temperature', a?.temperature));
      put(m, 'top_p', num('spec.anthropic.topP', a?.topP));
      put(m, 'top_k', positive(a?.topK));
      out.model = m;
      break;
    }
    case 'AzureOpenAI': {
      const az = spec.azureOpenAI;
      if (!az) fail('spec.azureOpenAI', 'is required when provider is AzureOpenAI');
      const key = apiKey();
      if (key) out.env.push(secretEnv('AZURE_OPENAI_API_KEY', key.secret, key.key));
      if (az?.azureAdToken) out.env.push({ name: 'AZURE_AD_TOKEN', value: az.azureAdToken });
      if (az?.apiVersion) out.env.push({ name: 'OPENAI_API_VERSION', value: az.apiVersion });
      if (az?.azureEndpoint) out.env.push({ name: 'AZURE_OPENAI_ENDPOINT', value: az.azureEndpoint });
      const m = base('azure_openai');
      put(m, 'azure_endpoint', az?.azureEndpoint);
      put(m, 'azure_deployment', az?.azureDeployment || undefined);
      put(m, 'api_version', az?.apiVersion);
      put(m, 'max_tokens', positive(az?.maxTokens));
      put(m, 'temperature', num('spec.azureOpenAI.temperature', az?.temperature));
      put(m, 'top_p', num('spec.azureOpenAI.topP', az?.topP));
      out.model = m;
      break;
    }
    case 'Ollama': {
      const o = spec.ollama;
      if (o?.host) out.env.push({ name: 'OLLAMA_API_BASE', value: o.host });
      const m = base('ollama');
      if (o?.options && Object.keys(o.options).length > 0) m['options'] = sortedMap(o.options);
      out.model = m;
      break;
    }
    case 'Gemini': {
      const key = apiKey();
      if (key) out.env.push(secretEnv('GOOGLE_API_KEY', key.secret, key.key));
      out.model = base('gemini');
      break;
    }
    case 'GeminiVertexAI':
    case 'AnthropicVertexAI': {
      const gemini = spec.provider === 'GeminiVertexAI';
      const v = gemini ? spec.geminiVertexAI : spec.anthropicVertexAI;
      const block = gemini ? 'spec.geminiVertexAI' : 'spec.anthropicVertexAI';
      if (!v) fail(block, `is required when provider is ${spec.provider}`);
      out.env.push({ name: 'GOOGLE_CLOUD_PROJECT', value: v?.projectID ?? '' });
      out.env.push({ name: 'GOOGLE_CLOUD_LOCATION', value: v?.location ?? '' });
      if (gemini) out.env.push({ name: 'GOOGLE_GENAI_USE_VERTEXAI', value: 'true' });
      googleCredentials();
      const m = base(gemini ? 'gemini_vertex_ai' : 'anthropic_vertex_ai');
      put(m, 'project', v?.projectID);
      put(m, 'location', v?.location);
      put(m, 'temperature', num(`${block}.temperature`, v?.temperature));
      put(m, 'top_p', num(`${block}.topP`, v?.topP));
      const maxTokens =
        spec.geminiVertexAI?.maxOutputTokens ?? (gemini ? undefined : spec.anthropicVertexAI?.maxTokens);
      put(m, 'max_tokens', positive(maxTokens));
      out.model = m;
      break;
    }
    case 'Bedrock': {
      const b = spec.bedrock;
      if (!b) fail('spec.bedrock', 'is required when provider is Bedrock');
      if (b?.region) out.env.push({ name: 'AWS_REGION', value: b.region });
      const key = apiKey();
      if (key?.key) out.env.push(secretEnv('AWS_BEARER_TOKEN_BEDROCK', key.secret, key.key));
      else if (key) {
        for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
          out.env.push(secretEnv(name, key.secret, name, true));
        }
      }
      const m = base('bedrock');
      put(m, 'region', b?.region || undefined);
      put(m, 'additional_model_request_fields', b?.additionalModelRequestFields);
      if (b?.promptCaching) {
        m['prompt_caching'] = true;
        m['cache_ttl'] = b.cacheTTL;
      }
      out.model = m;
      break;
    }
    case 'SAPAICore':
      throw new TranslationError(
        'UnsupportedProvider',
        field,
        `${ref}: spec.provider: SAPAICore is not supported by the agent runtime; use another provider`,
      );
  }
  return out;
}
