// Compiles an `ai` backend or the `llm:` shorthand from the config model into routing tables:
// which providers serve which model names, in which priority groups, with which policies.
import { readFileSync } from 'node:fs';
import type {
  AiBackendModel,
  LlmBackendModel,
  RateLimitModel,
  TrafficPolicies,
} from '@agentplane/gateway-config';
import { compileCel, type CelProgram } from './cel.js';
import { LlmGatewayError } from './errors.js';
import { compilePromptGuard } from './guardrails/prompt-guard.js';
import { modelMatcher, type ModelMatcher } from './model-match.js';
import { resolvePromptCaching, type PromptCachingSpec } from './prompt-caching.js';
import { compileTransformations } from './transformations.js';
import {
  ANTHROPIC_BASE,
  GEMINI_BASE,
  OPENAI_COMPATIBLE,
  azureBase,
  bedrockBase,
  vertexBase,
} from './providers/presets.js';
import type { AwsCredentials, ProviderKind, ProviderTarget } from './providers/provider.js';
import type { JsonObject, ProviderFormat } from './wire.js';

export type AiPolicy = NonNullable<TrafficPolicies['ai']>;
export type PromptGuardSpec = NonNullable<AiPolicy['promptGuard']>;
type AiSpec = AiBackendModel['spec'];
type NamedAiProvider = Extract<AiSpec, { name: string }>;
type LlmSpec = LlmBackendModel['spec'];
type LlmModel = LlmSpec['models'][number];

export interface ModelRoute {
  /** The configured name (pattern). */
  readonly name: string;
  readonly test: ModelMatcher;
  /** Priority groups: the first group with a healthy provider serves. */
  readonly groups: readonly (readonly ProviderTarget[])[];
  readonly transformModel?: CelProgram;
  readonly defaults?: JsonObject;
  readonly overrides?: JsonObject;
  readonly guards?: PromptGuardSpec;
}

export interface CompiledBackend {
  readonly kind: 'ai' | 'llm';
  readonly routes: readonly ModelRoute[];
  /** Backend-level `ai` policy (an `ai` backend's own `policies.ai`). */
  readonly policy?: AiPolicy;
  /** `llm.policies.guardrails`. */
  readonly guards?: PromptGuardSpec;
  /** `llm.policies.localRateLimit`. */
  readonly rateLimits?: readonly RateLimitModel[];
  /** Model names to list on `/v1/models` (`llm:` shorthand; exact names only). */
  readonly models: readonly string[];
}

export interface CompileOptions {
  /** Environment for provider default keys and AWS credentials (never read from process.env here). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const DEFAULT_KEY_ENV: Partial<Record<ProviderKind, string>> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  gemini: 'GEMINI_API_KEY',
  azure: 'AZURE_OPENAI_API_KEY',
};

function keyOf(v: string | { file: string } | null | undefined, path: string): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  try {
    return readFileSync(v.file, 'utf8').trim();
  } catch (e) {
    throw configError(
      path,
      `cannot read key file ${v.file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}

/** A config error naming the key path of the offending field. */
function configError(path: string, message: string, cause?: unknown): LlmGatewayError {
  return new LlmGatewayError('CONFIG', `${path}: ${message}`, cause === undefined ? undefined : { cause });
}

function awsFromEnv(env: CompileOptions['env']): AwsCredentials | undefined {
  const id = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  if (!id || !secret) return undefined;
  return {
    accessKeyId: id,
    secretAccessKey: secret,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  };
}

/** `host:port` or a URL, replacing the origin of `base` (its path is kept). */
function withHost(base: string, host: string): string {
  const path = new URL(base).pathname.replace(/\/$/, '');
  if (/^https?:\/\//.test(host)) return host.replace(/\/$/, '') + path;
  const port = host.slice(host.lastIndexOf(':') + 1);
  return `${port === '443' ? 'https' : 'http'}://${host}${path}`;
}

function parseUrl(url: string, path: string): URL {
  try {
    return new URL(url);
  } catch (e) {
    throw configError(path, `invalid URL ${JSON.stringify(url)}`, e);
  }
}

function withPathPrefix(base: string, prefix: string): string {
  return new URL(base).origin + ('/' + prefix.replace(/^\/+/, '')).replace(/\/$/, '');
}

interface ProviderInput {
  readonly name: string;
  /** Key paths for errors: the provider, and its project / Azure resource fields. */
  readonly path: string;
  readonly projectPath: string;
  readonly azurePath: string;
  readonly kind: ProviderKind;
  readonly family: string;
  readonly model?: string | null | undefined;
  readonly apiKey?: string | undefined;
  readonly baseUrl?: string | null | undefined;
  readonly hostOverride?: string | null | undefined;
  readonly pathOverride?: string | null | undefined;
  readonly pathPrefix?: string | null | undefined;
  readonly region?: string | null | undefined;
  readonly project?: string | null | undefined;
  readonly azureResourceName?: string | null | undefined;
  readonly azureResourceType?: string | null | undefined;
  readonly azureApiVersion?: string | null | undefined;
  readonly passthroughAuth?: boolean;
  /** `backendAuth.aws`: SigV4 signing (explicit credentials, or the environment's when absent). */
  readonly awsAuth?: AwsAuth;
  readonly format?: ProviderFormat;
  readonly headers?: ProviderTarget['headers'];
  /** Key path of the auth block, for errors. */
  readonly authPath?: string;
  readonly promptCaching?: PromptCachingSpec | null | undefined;
}

const SYSTEM: Record<ProviderKind, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  vertex: 'gcp.vertex_ai',
  bedrock: 'aws.bedrock',
  azure: 'az.ai.openai',
};

function buildTarget(i: ProviderInput, opts: CompileOptions): ProviderTarget {
  let base: string;
  let format: ProviderFormat = i.format ?? 'openai';
  switch (i.kind) {
    case 'anthropic':
      base = ANTHROPIC_BASE;
      format = 'anthropic';
      break;
    case 'gemini':
      base = GEMINI_BASE;
      format = 'gemini';
      break;
    case 'vertex':
      if (!i.project) throw configError(i.projectPath, `provider ${i.name}: vertex needs a project`);
      base = vertexBase(i.region ?? 'us-central1', i.project);
      format = 'gemini';
      break;
    case 'bedrock':
      base = bedrockBase(i.region ?? 'us-east-1');
      format = 'bedrock';
      break;
    case 'azure':
      if (!i.azureResourceName && !i.baseUrl && !i.hostOverride)
        throw configError(i.azurePath, `provider ${i.name}: azure needs a resourceName`);
      base = azureBase(i.azureResourceName ?? 'resource', i.azureResourceType ?? undefined);
      break;
    default:
      base = OPENAI_COMPATIBLE[i.family] ?? OPENAI_COMPATIBLE.openai ?? '';
  }
  if (i.baseUrl) {
    const u = parseUrl(i.baseUrl, `${i.path}.baseUrl`);
    base = u.pathname === '/' ? u.origin + new URL(base).pathname : i.baseUrl.replace(/\/$/, '');
  }
  if (i.hostOverride) base = withHost(base, i.hostOverride);
  if (i.pathPrefix) base = withPathPrefix(base, i.pathPrefix);
  const envKey = DEFAULT_KEY_ENV[i.kind];
  const apiKey =
    i.apiKey ??
    (envKey && i.family === (i.kind === 'openai' ? 'openai' : i.family) ? opts.env[envKey] : undefined);
  // Bedrock signs with the environment's credentials unless it has an API key; `backendAuth.aws`
  // signs any provider, with its explicit credentials or the environment's.
  const aws = i.awsAuth
    ? (i.awsAuth.credentials ?? awsFromEnv(opts.env))
    : i.kind === 'bedrock' && !apiKey
      ? awsFromEnv(opts.env)
      : undefined;
  if (i.awsAuth && !aws)
    throw configError(
      i.authPath ?? i.path,
      `provider ${i.name}: backendAuth.aws has no credentials (set accessKeyId and secretAccessKey, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)`,
    );
  const region = i.awsAuth?.region ?? i.region ?? (i.kind === 'bedrock' ? 'us-east-1' : undefined);
  return {
    name: i.name,
    kind: i.kind,
    system: i.kind === 'openai' && i.family !== 'openai' && i.family !== 'openAI' ? i.family : SYSTEM[i.kind],
    format,
    baseUrl: base,
    origin: parseUrl(base, `${i.path}.baseUrl`).origin,
    passthroughAuth: i.passthroughAuth ?? false,
    ...(i.model ? { model: i.model } : {}),
    ...(i.pathOverride ? { pathOverride: i.pathOverride } : {}),
    ...(apiKey ? { apiKey } : {}),
    // Credentials of the provider's own (key, passthrough or AWS); a route's backendAuth yields to them.
    ownAuth: i.apiKey !== undefined || i.passthroughAuth === true || i.awsAuth !== undefined,
    ...(region ? { region } : {}),
    ...(i.azureApiVersion ? { azureApiVersion: i.azureApiVersion } : {}),
    ...(aws ? { aws, ...(i.awsAuth?.service ? { awsService: i.awsAuth.service } : {}) } : {}),
    ...(i.headers ? { headers: i.headers } : {}),
    ...(i.promptCaching ? { promptCaching: resolvePromptCaching(i.promptCaching) } : {}),
  };
}

type HeaderMod =
  { add?: Record<string, string>; set?: Record<string, string>; remove?: string[] } | null | undefined;
function headersOf(m: HeaderMod): ProviderTarget['headers'] {
  if (!m) return undefined;
  return { set: [...Object.entries(m.add ?? {}), ...Object.entries(m.set ?? {})], remove: m.remove ?? [] };
}

interface AwsAuth {
  readonly credentials?: AwsCredentials;
  readonly region?: string;
  readonly service?: string;
}

type AwsAuthRaw = {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string | null;
  region?: string | null;
  serviceName?: string | null;
};
type BackendAuthRaw = { passthrough?: unknown; key?: unknown; aws?: AwsAuthRaw } | null | undefined;
function authOf(
  a: BackendAuthRaw,
  path: string,
): { apiKey?: string; passthroughAuth?: boolean; awsAuth?: AwsAuth; authPath?: string } {
  if (!a) return {};
  if (a.passthrough) return { passthroughAuth: true };
  if (a.aws) {
    const w = a.aws;
    const credentials =
      w.accessKeyId && w.secretAccessKey
        ? {
            accessKeyId: w.accessKeyId,
            secretAccessKey: w.secretAccessKey,
            ...(w.sessionToken ? { sessionToken: w.sessionToken } : {}),
          }
        : undefined;
    return {
      awsAuth: {
        ...(credentials ? { credentials } : {}),
        ...(w.region ? { region: w.region } : {}),
        ...(w.serviceName ? { service: w.serviceName } : {}),
      },
      authPath: `${path}.aws`,
    };
  }
  if (a.key !== undefined) {
    const k = a.key as string | { file: string } | { value: string | { file: string } };
    const v = typeof k === 'object' && 'value' in k ? k.value : k;
    const key = keyOf(v, `${path}.key`);
    return key ? { apiKey: key } : {};
  }
  return {};
}

function fromNamedAiProvider(p: NamedAiProvider, path: string, opts: CompileOptions): ProviderTarget {
  const entry = Object.entries(p.provider).find(([, v]) => v !== undefined && v !== null);
  if (!entry) throw configError(`${path}.provider`, `provider ${p.name}: no provider type`);
  const [type, raw] = entry as [string, Record<string, unknown>];
  const pol = p.policies ?? undefined;
  const common = {
    name: p.name,
    path,
    projectPath: `${path}.provider.${type}.projectId`,
    azurePath: `${path}.provider.${type}.resourceName`,
    model: raw.model as string | null | undefined,
    hostOverride: p.hostOverride,
    pathOverride: p.pathOverride,
    pathPrefix: p.pathPrefix,
    ...authOf(pol?.backendAuth, `${path}.policies.backendAuth`),
    ...(headersOf(pol?.requestHeaderModifier) ? { headers: headersOf(pol?.requestHeaderModifier) } : {}),
    promptCaching: pol?.ai?.promptCaching,
  };
  switch (type) {
    case 'openAI':
      return buildTarget({ ...common, kind: 'openai', family: 'openai' }, opts);
    case 'copilot':
      return buildTarget({ ...common, kind: 'openai', family: 'copilot' }, opts);
    case 'anthropic':
      return buildTarget({ ...common, kind: 'anthropic', family: 'anthropic' }, opts);
    case 'gemini':
      return buildTarget({ ...common, kind: 'gemini', family: 'gemini' }, opts);
    case 'vertex':
      return buildTarget(
        {
          ...common,
          kind: 'vertex',
          family: 'vertex',
          region: raw.region as string,
          project: raw.projectId as string,
        },
        opts,
      );
    case 'bedrock':
      return buildTarget(
        { ...common, kind: 'bedrock', family: 'bedrock', region: raw.region as string },
        opts,
      );
    case 'azure':
      return buildTarget(
        {
          ...common,
          kind: 'azure',
          family: 'azure',
          azureResourceName: raw.resourceName as string,
          azureResourceType: raw.resourceType as string,
          azureApiVersion: raw.apiVersion as string | undefined,
        },
        opts,
      );
    case 'custom': {
      const formats = (raw.formats as { type: string; path?: string | null }[] | undefined) ?? [];
      const f = formats.find((x) => x.type === 'completions' || x.type === 'messages') ?? formats[0];
      const anthropic = f?.type === 'messages';
      return buildTarget(
        {
          ...common,
          kind: anthropic ? 'anthropic' : 'openai',
          family: (raw.providerOverride as string | undefined) ?? 'custom',
          format: anthropic ? 'anthropic' : 'openai',
          ...(f?.path ? { pathOverride: f.path } : {}),
        },
        opts,
      );
    }
    default:
      throw configError(`${path}.provider.${type}`, `provider ${p.name}: unsupported provider ${type}`);
  }
}

function kindOfName(name: string): { kind: ProviderKind; family: string } {
  switch (name) {
    case 'openai':
    case 'openAI':
      return { kind: 'openai', family: 'openai' };
    case 'anthropic':
    case 'gemini':
    case 'vertex':
    case 'bedrock':
    case 'azure':
      return { kind: name, family: name };
    default:
      return { kind: 'openai', family: name };
  }
}

function fromLlmModel(
  m: LlmModel,
  spec: LlmSpec,
  index: number,
  base: string,
  opts: CompileOptions,
): ProviderTarget {
  const path = `${base}.models[${index}]`;
  let providerName: string;
  let params = m.params ?? {};
  let custom: LlmModel['provider'] | undefined;
  let promptCaching = m.promptCaching;
  if (typeof m.provider === 'string') providerName = m.provider;
  else if ('reference' in m.provider) {
    const ref = m.provider.reference;
    const p = spec.providers?.find((x) => x.name === ref);
    if (!p) throw configError(`${path}.provider.reference`, `unknown provider reference ${ref}`);
    params = { ...(p.params ?? {}), ...params };
    promptCaching ??= p.defaults?.promptCaching;
    if (typeof p.provider !== 'string') custom = p.provider;
    providerName = typeof p.provider === 'string' ? p.provider : 'custom';
  } else {
    custom = m.provider;
    providerName = 'custom';
  }
  const { kind, family } = kindOfName(providerName);
  let format: ProviderFormat | undefined;
  let pathOverride = params.pathOverride;
  if (custom && typeof custom !== 'string' && 'custom' in custom) {
    const f = custom.custom.formats.find((x) => x.type === 'completions' || x.type === 'messages');
    format = f?.type === 'messages' ? 'anthropic' : 'openai';
    pathOverride ??= f?.path;
  }
  return buildTarget(
    {
      name: `${m.name}#${index}`,
      path: `${path}.params`,
      projectPath: `${path}.params.vertexProject`,
      azurePath: `${path}.params.azureResourceName`,
      kind: format === 'anthropic' ? 'anthropic' : kind,
      family,
      model: params.model,
      apiKey: keyOf(params.apiKey, `${path}.params.apiKey`),
      baseUrl: params.baseUrl,
      hostOverride: params.hostOverride,
      pathOverride,
      pathPrefix: params.pathPrefix,
      region: kind === 'vertex' ? params.vertexRegion : params.awsRegion,
      project: params.vertexProject,
      azureResourceName: params.azureResourceName,
      azureResourceType: params.azureResourceType,
      azureApiVersion: params.azureApiVersion,
      ...(format ? { format } : {}),
      ...authOf(m.auth, `${path}.auth`),
      ...(headersOf(m.requestHeaders) ? { headers: headersOf(m.requestHeaders) } : {}),
      promptCaching,
    },
    opts,
  );
}

export function compileBackend(
  backend: AiBackendModel | LlmBackendModel,
  opts: CompileOptions,
): CompiledBackend {
  const base = backend.path ?? backend.kind;
  if (backend.kind === 'ai') {
    const spec = backend.spec;
    if ('groups' in spec) {
      const groups = spec.groups.map((g, gi) =>
        g.providers.map((p, pi) => fromNamedAiProvider(p, `${base}.groups[${gi}].providers[${pi}]`, opts)),
      );
      const policy =
        spec.groups.flatMap((g) => g.providers).find((p) => p.policies?.ai)?.policies?.ai ?? undefined;
      if (policy) {
        const gi = spec.groups.findIndex((g) => g.providers.some((p) => p.policies?.ai === policy));
        const pi = spec.groups[gi]?.providers.findIndex((p) => p.policies?.ai === policy) ?? 0;
        const at = `${base}.groups[${gi}].providers[${pi}].policies.ai`;
        if (policy.promptGuard) compilePromptGuard(policy.promptGuard, `${at}.promptGuard`);
        compileAiTransformations(policy, at);
      }
      return {
        kind: 'ai',
        routes: [{ name: '*', test: () => true, groups }],
        ...(policy ? { policy } : {}),
        models: [],
      };
    }
    const policy = spec.policies?.ai ?? undefined;
    if (policy?.promptGuard) compilePromptGuard(policy.promptGuard, `${base}.policies.ai.promptGuard`);
    if (policy) compileAiTransformations(policy, `${base}.policies.ai`);
    return {
      kind: 'ai',
      routes: [{ name: '*', test: () => true, groups: [[fromNamedAiProvider(spec, base, opts)]] }],
      ...(policy ? { policy } : {}),
      models: [],
    };
  }
  const spec = backend.spec;
  // Models with the same name are one route; their providers share a priority group (failover).
  const routes: ModelRoute[] = [];
  const byName = new Map<string, { route: ModelRoute; targets: ProviderTarget[] }>();
  spec.models.forEach((m, i) => {
    const target = fromLlmModel(m, spec, i, base, opts);
    const existing = byName.get(m.name);
    if (existing) {
      existing.targets.push(target);
      return;
    }
    const targets = [target];
    if (m.guardrails) compilePromptGuard(m.guardrails, `${base}.models[${i}].guardrails`);
    const expr = m.transformation?.model;
    let transformModel: CelProgram | undefined;
    if (expr) {
      try {
        transformModel = compileCel(expr);
      } catch (e) {
        throw configError(`${base}.models[${i}].transformation.model`, (e as Error).message, e);
      }
    }
    const route: ModelRoute = {
      name: m.name,
      test: modelMatcher(m.name),
      groups: [targets],
      ...(transformModel ? { transformModel } : {}),
      ...(m.defaults ? { defaults: m.defaults } : {}),
      ...(m.overrides ? { overrides: m.overrides } : {}),
      ...(m.guardrails ? { guards: m.guardrails } : {}),
    };
    byName.set(m.name, { route, targets });
    routes.push(route);
  });
  if (spec.policies?.guardrails) compilePromptGuard(spec.policies.guardrails, `${base}.policies.guardrails`);
  const limits = spec.policies?.localRateLimit?.map((l): RateLimitModel => ({
    maxTokens: l.maxTokens ?? 0,
    tokensPerFill: l.tokensPerFill ?? 0,
    fillIntervalMs: l.fillInterval,
    type: l.type ?? 'requests',
  }));
  return {
    kind: 'llm',
    routes,
    ...(spec.policies?.guardrails ? { guards: spec.policies.guardrails } : {}),
    ...(limits?.length ? { rateLimits: limits } : {}),
    models: spec.models
      .filter((m) => !m.name.includes('*') && m.visibility !== 'internal')
      .map((m) => m.name),
  };
}

/** Compiles an `ai` policy's `transformations` and `finalTransformations` (config errors name `path`). */
export function compileAiTransformations(policy: AiPolicy, path: string): void {
  compileTransformations(policy.transformations, `${path}.transformations`);
  compileTransformations(policy.finalTransformations, `${path}.finalTransformations`);
}

/** The first route whose pattern matches the model (config order). */
export function findRoute(b: CompiledBackend, model: string): ModelRoute | undefined {
  return b.routes.find((r) => r.test(model));
}
