import { create, fromJson } from '@bufbuild/protobuf';
import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import { ValueSchema } from '@bufbuild/protobuf/wkt';
import type { Value } from '@bufbuild/protobuf/wkt';
import type { AgentgatewayPolicySpec } from '@agentplane/crds';
import { AuthMode } from '@agentplane/xds/v1/common';
import {
  AiPolicySchema,
  AuthorizationAction,
  BackendAuthSchema,
  BackendPolicySchema,
  BackendTlsSchema,
  GuardAction,
  McpAuthenticationSchema,
  McpAuthorizationSchema,
  PromptGuardRuleSchema,
  WebhookGuardSchema,
  WebhookHeaderMatchSchema,
} from '@agentplane/xds/v1/policy';
import type { BackendAuth, BackendPolicy, BackendTls, PromptGuardRule } from '@agentplane/xds/v1/policy';
import { durationField } from './durations.js';
import { AGENTGATEWAY_GROUP } from './names.js';
import { configMapValue, secretValue } from './secret-data.js';
import type { Problems, TranslateContext } from './translate-context.js';
import { readSecret, resolveServiceRef, sortedJson } from './translate-context.js';

export type BackendPolicies = NonNullable<AgentgatewayPolicySpec['backend']>;
type Auth = NonNullable<BackendPolicies['auth']>;
type Tls = NonNullable<BackendPolicies['tls']>;
type Ai = NonNullable<BackendPolicies['ai']>;
type Mcp = NonNullable<BackendPolicies['mcp']>;
type GuardItem = NonNullable<NonNullable<Ai['promptGuard']>['request']>[number];

export function authMode(mode: 'Strict' | 'Optional' | 'Permissive' | undefined): AuthMode {
  switch (mode) {
    case 'Optional':
      return AuthMode.OPTIONAL;
    case 'Permissive':
      return AuthMode.PERMISSIVE;
    default:
      return AuthMode.STRICT;
  }
}

export function authorizationAction(action: 'Allow' | 'Deny' | 'Require' | undefined): AuthorizationAction {
  switch (action) {
    case 'Deny':
      return AuthorizationAction.DENY;
    case 'Require':
      return AuthorizationAction.REQUIRE;
    default:
      return AuthorizationAction.ALLOW;
  }
}

/**
 * What the policies apply to: an AI backend or provider, another kind of backend, or not known
 * yet (an AgentgatewayPolicy, whose targets are checked one by one).
 */
export type BackendPolicyScope = 'ai' | 'other' | 'any';

/**
 * Translates agentgateway backend policies (`spec.backend` of a policy, `spec.policies` of a
 * backend, or the policies of one MCP target or AI provider) into a BackendPolicy. Secrets are
 * resolved from `namespace`. Returns undefined when nothing is set.
 */
export function translateBackendPolicies(
  ctx: TranslateContext,
  problems: Problems,
  namespace: string,
  spec: BackendPolicies,
  path: string,
  scope: BackendPolicyScope = 'any',
): BackendPolicy | undefined {
  problems.unsupportedKeys(spec, ['ai', 'auth', 'http', 'mcp', 'tls'], path);
  const out = create(BackendPolicySchema);
  let set = false;
  if (spec.auth !== undefined) {
    if (spec.auth.aws !== undefined && scope === 'other') problems.add(awsOnlyAi(`${path}.auth.aws`));
    const auth = translateAuth(ctx, problems, namespace, spec.auth, `${path}.auth`);
    if (auth !== undefined) out.backendAuth = auth;
    set = true;
  }
  if (spec.tls !== undefined) {
    const tls = translateTls(ctx, problems, namespace, spec.tls, `${path}.tls`);
    if (tls !== undefined) out.backendTls = tls;
    set = true;
  }
  if (spec.http !== undefined) {
    problems.unsupportedKeys(spec.http, ['requestTimeout'], `${path}.http`);
    if (spec.http.requestTimeout !== undefined) {
      const d = durationField(spec.http.requestTimeout, `${path}.http.requestTimeout`);
      if (d.ok) out.requestTimeout = d.value;
      else problems.add(d.error);
    }
    set = true;
  }
  if (spec.ai !== undefined) {
    out.ai = translateAi(ctx, problems, namespace, spec.ai, `${path}.ai`);
    set = true;
  }
  if (spec.mcp !== undefined) {
    translateMcp(ctx, problems, namespace, spec.mcp, `${path}.mcp`, out);
    set = true;
  }
  return set ? out : undefined;
}

/** The message for `auth.aws` where it cannot apply. */
export function awsOnlyAi(path: string): string {
  return `${path}: AWS request signing applies to AI backends only (an AgentgatewayBackend with spec.ai)`;
}

/** `auth.aws.secretRef`: the Secret's accessKey, secretKey and optional sessionToken. */
function awsCredentials(
  ctx: TranslateContext,
  problems: Problems,
  namespace: string,
  ref: { group?: string | undefined; kind?: string | undefined; name: string },
  path: string,
): { accessKeyId: string; secretAccessKey: string; sessionToken: string } | undefined {
  if ((ref.group ?? '') !== '' || (ref.kind ?? 'Secret') !== 'Secret') {
    problems.add(
      `${path}: only Secret references are supported, not ${ref.group ? `${ref.group}/` : ''}${ref.kind ?? 'Secret'}`,
    );
    return undefined;
  }
  const secret = ctx.index.secret({ namespace, name: ref.name });
  if (secret === undefined) {
    problems.add(`${path}: Secret ${namespace}/${ref.name} not found`);
    return undefined;
  }
  const accessKeyId = secretValue(secret, 'accessKey');
  const secretAccessKey = secretValue(secret, 'secretKey');
  const missing = [
    accessKeyId === undefined ? 'accessKey' : '',
    secretAccessKey === undefined ? 'secretKey' : '',
  ]
    .filter((k) => k !== '')
    .join(' and ');
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    problems.add(`${path}: Secret ${namespace}/${ref.name} has no ${missing}`);
    return undefined;
  }
  return { accessKeyId, secretAccessKey, sessionToken: secretValue(secret, 'sessionToken') ?? '' };
}

function translateAuth(
  ctx: TranslateContext,
  problems: Problems,
  namespace: string,
  auth: Auth,
  path: string,
): BackendAuth | undefined {
  problems.unsupportedKeys(auth, ['aws', 'key', 'passthrough', 'secretRef'], path);
  if (auth.passthrough !== undefined)
    return create(BackendAuthSchema, { kind: { case: 'passthrough', value: {} } });
  if (auth.key !== undefined) return create(BackendAuthSchema, { kind: { case: 'key', value: auth.key } });
  if (auth.secretRef !== undefined) {
    const key = readSecret(ctx, problems, namespace, auth.secretRef, `${path}.secretRef`, ['Authorization']);
    return key === undefined
      ? undefined
      : create(BackendAuthSchema, { kind: { case: 'key', value: key.replace(/^Bearer\s+/i, '') } });
  }
  if (auth.aws !== undefined) {
    const aws = auth.aws;
    problems.unsupportedKeys(aws, ['region', 'secretRef', 'serviceName'], `${path}.aws`);
    const credentials =
      aws.secretRef === undefined
        ? undefined
        : awsCredentials(ctx, problems, namespace, aws.secretRef, `${path}.aws.secretRef`);
    return create(BackendAuthSchema, {
      kind: {
        case: 'aws',
        value: { region: aws.region ?? '', serviceName: aws.serviceName ?? '', ...credentials },
      },
    });
  }
  return undefined;
}

function caBundle(
  ctx: TranslateContext,
  problems: Problems,
  namespace: string,
  ref: { kind: 'ConfigMap' | 'Secret'; name: string },
  path: string,
): string | undefined {
  if (ref.kind === 'Secret')
    return readSecret(ctx, problems, namespace, { name: ref.name, key: 'ca.crt' }, path);
  const cm = ctx.index.configMaps.get(`${namespace}/${ref.name}`);
  const value = cm === undefined ? undefined : configMapValue(cm, 'ca.crt');
  if (value === undefined)
    problems.add(`${path}: ConfigMap ${namespace}/${ref.name} with key ca.crt not found`);
  return value;
}

function translateTls(
  ctx: TranslateContext,
  problems: Problems,
  namespace: string,
  tls: Tls,
  path: string,
): BackendTls | undefined {
  problems.unsupportedKeys(
    tls,
    [
      'alpnProtocols',
      'caCertificateRefs',
      'certificateSource',
      'insecureSkipVerify',
      'mtlsCertificateRef',
      'sni',
      'verifySubjectAltNames',
    ],
    path,
  );
  if (tls.certificateSource === 'SPIFFE')
    problems.add(`${path}.certificateSource SPIFFE is not supported by this gateway yet`);
  if (tls.insecureSkipVerify === 'Hostname')
    problems.add(`${path}.insecureSkipVerify Hostname is not supported by this gateway yet (use All)`);
  const out = create(BackendTlsSchema, {
    insecureSkipVerify: tls.insecureSkipVerify === 'All',
    sni: tls.sni ?? '',
    alpnProtocols: tls.alpnProtocols ?? [],
    verifySubjectAltNames: tls.verifySubjectAltNames ?? [],
  });
  const ca = tls.caCertificateRefs?.[0];
  if (ca !== undefined) {
    const pem = caBundle(ctx, problems, namespace, ca, `${path}.caCertificateRefs[0]`);
    if (pem !== undefined) out.rootCa = Buffer.from(pem);
  }
  const mtls = tls.mtlsCertificateRef?.[0];
  if (mtls !== undefined) {
    const p = `${path}.mtlsCertificateRef[0]`;
    const cert = readSecret(ctx, problems, namespace, { name: mtls.name, key: 'tls.crt' }, p);
    const key = readSecret(ctx, problems, namespace, { name: mtls.name, key: 'tls.key' }, p);
    if (cert !== undefined && key !== undefined) {
      out.certChain = Buffer.from(cert);
      out.privateKey = Buffer.from(key);
    }
  }
  return out;
}

const BUILTINS: Record<string, string> = {
  Ssn: 'ssn',
  CreditCard: 'creditCard',
  PhoneNumber: 'phoneNumber',
  Email: 'email',
  CaSin: 'caSin',
};

function regexProblem(problems: Problems, source: string, path: string): void {
  try {
    new RegExp(source);
  } catch (e) {
    problems.add(`${path}: invalid regular expression: ${(e as Error).message}`);
  }
}

type WebhookRef = NonNullable<GuardItem['webhook']>['backendRef'];

/**
 * A webhook's server: a Service port, or an AgentgatewayBackend with `spec.static` (the CRD's
 * "Service and Backend").
 */
function webhookTarget(
  ctx: TranslateContext,
  problems: Problems,
  namespace: string,
  ref: WebhookRef,
  path: string,
): { host: string; port: number } | undefined {
  if (ref.group !== AGENTGATEWAY_GROUP || ref.kind !== 'AgentgatewayBackend')
    return resolveServiceRef(ctx, problems, namespace, ref, path);
  if ((ref.namespace ?? namespace) !== namespace) {
    problems.add(`${path}: cross-namespace references are not supported here`);
    return undefined;
  }
  const backend = ctx.index.backends.get(`${namespace}/${ref.name}`);
  if (backend === undefined) {
    problems.add(`${path}: AgentgatewayBackend ${namespace}/${ref.name} not found`);
    return undefined;
  }
  const s = backend.spec.static;
  if (s?.host === undefined || s.port === undefined || backend.spec.policies !== undefined) {
    problems.add(
      `${path}: AgentgatewayBackend ${namespace}/${ref.name} must be a static host and port without spec.policies`,
    );
    return undefined;
  }
  return { host: s.host, port: s.port };
}

function guardRule(
  ctx: TranslateContext,
  problems: Problems,
  namespace: string,
  item: GuardItem,
  path: string,
): PromptGuardRule | undefined {
  problems.unsupportedKeys(item, ['openAIModeration', 'regex', 'response', 'webhook'], path);
  const rule = create(PromptGuardRuleSchema);
  if (item.response !== undefined) {
    rule.rejection = {
      $typeName: 'agentplane.xds.v1.GuardRejection',
      status: item.response.statusCode,
      body: Buffer.from(item.response.message),
      headers: [],
    };
  }
  if (item.regex !== undefined) {
    rule.kind = {
      case: 'regex',
      value: {
        $typeName: 'agentplane.xds.v1.RegexGuard',
        patterns: item.regex.matches ?? [],
        builtins: (item.regex.builtins ?? []).map((b) => BUILTINS[b] ?? b),
        action: item.regex.action === 'Reject' ? GuardAction.REJECT : GuardAction.MASK,
      },
    };
    return rule;
  }
  if (item.webhook !== undefined) {
    const w = item.webhook;
    const p = `${path}.webhook`;
    problems.unsupportedKeys(w, ['backendRef', 'failureMode', 'forwardHeaderMatches', 'headers'], p);
    const target = webhookTarget(ctx, problems, namespace, w.backendRef, `${p}.backendRef`);
    const forward = (w.forwardHeaderMatches ?? []).map((m, i) => {
      const regex = m.type === 'RegularExpression';
      if (regex) regexProblem(problems, m.value, `${p}.forwardHeaderMatches[${i}].value`);
      return create(WebhookHeaderMatchSchema, {
        name: m.name,
        value: { case: regex ? 'regex' : 'exact', value: m.value },
      });
    });
    if (target === undefined) return undefined;
    rule.kind = {
      case: 'webhook',
      value: create(WebhookGuardSchema, {
        host: target.host,
        port: target.port,
        headers: Object.fromEntries(Object.entries(w.headers ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))),
        forwardHeaderMatches: forward,
        failOpen: w.failureMode === 'FailOpen',
      }),
    };
    return rule;
  }
  if (item.openAIModeration !== undefined) {
    const m = item.openAIModeration;
    if (m.policies !== undefined)
      problems.add(
        `${path}.openAIModeration.policies is not supported by this gateway yet (moderation calls use ` +
          `the gateway's OPENAI_API_KEY; set it with AgentgatewayParameters spec.env)`,
      );
    rule.kind = {
      case: 'openaiModeration',
      value: { $typeName: 'agentplane.xds.v1.ModerationGuard', model: m.model ?? '', apiKey: '' },
    };
    return rule;
  }
  return undefined;
}

function fieldMap(entries: readonly { field: string; value?: unknown }[] | undefined): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const e of [...(entries ?? [])].sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0)))
    out[e.field] = fromJson(ValueSchema, sortedJson(e.value ?? null) as JsonValue);
  return out;
}

function translateAi(ctx: TranslateContext, problems: Problems, namespace: string, ai: Ai, path: string) {
  problems.unsupportedKeys(
    ai,
    ['defaults', 'modelAliases', 'overrides', 'prompt', 'promptGuard', 'routes'],
    path,
  );
  const sorted = <V>(m: Record<string, V> | undefined) =>
    Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const out = create(AiPolicySchema, {
    defaults: fieldMap(ai.defaults),
    overrides: fieldMap(ai.overrides),
    modelAliases: Object.fromEntries(sorted(ai.modelAliases)),
    // `Completions` -> `completions`, `AnthropicTokenCount` -> `anthropicTokenCount`, ...
    routes: Object.fromEntries(
      sorted(ai.routes).map(([suffix, type]) => [suffix, type.charAt(0).toLowerCase() + type.slice(1)]),
    ),
  });
  if (ai.prompt !== undefined) {
    out.prompt = {
      $typeName: 'agentplane.xds.v1.AiPrompts',
      prepend: (ai.prompt.prepend ?? []).map((m) => ({ $typeName: 'agentplane.xds.v1.AiMessage', ...m })),
      append: (ai.prompt.append ?? []).map((m) => ({ $typeName: 'agentplane.xds.v1.AiMessage', ...m })),
    };
  }
  if (ai.promptGuard !== undefined) {
    const g = ai.promptGuard;
    const rules = (items: readonly GuardItem[] | undefined, p: string): PromptGuardRule[] =>
      (items ?? []).flatMap((item, i) => guardRule(ctx, problems, namespace, item, `${p}[${i}]`) ?? []);
    problems.unsupportedKeys(g, ['request', 'response', 'streaming'], `${path}.promptGuard`);
    out.promptGuard = {
      $typeName: 'agentplane.xds.v1.PromptGuard',
      request: rules(g.request, `${path}.promptGuard.request`),
      response: rules(g.response, `${path}.promptGuard.response`),
      streaming: g.streaming === 'Enabled',
    };
  }
  return out;
}

function translateMcp(
  ctx: TranslateContext,
  problems: Problems,
  namespace: string,
  mcp: Mcp,
  path: string,
  out: BackendPolicy,
): void {
  problems.unsupportedKeys(mcp, ['authentication', 'authorization'], path);
  if (mcp.authorization !== undefined) {
    out.mcpAuthorization = create(McpAuthorizationSchema, {
      action: authorizationAction(mcp.authorization.action),
      rules: mcp.authorization.policy.matchExpressions,
    });
  }
  const authn = mcp.authentication;
  if (authn !== undefined) {
    const p = `${path}.authentication`;
    problems.unsupportedKeys(
      authn,
      ['audiences', 'issuer', 'jwks', 'mode', 'provider', 'resourceMetadata'],
      p,
    );
    const url = jwksUrl(ctx, problems, namespace, authn.jwks, `${p}.jwks`);
    out.mcpAuthentication = create(McpAuthenticationSchema, {
      mode: authMode(authn.mode),
      issuer: authn.issuer ?? '',
      audiences: authn.audiences ?? [],
      ...(url !== undefined ? { jwks: { source: { case: 'url', value: url } } } : {}),
      provider: authn.provider?.toLowerCase() ?? '',
      ...(authn.resourceMetadata !== undefined
        ? { resourceMetadata: sortedJson(authn.resourceMetadata) as JsonObject }
        : {}),
    });
  }
}

/** A remote JWKS location as a URL (a Service reference becomes its cluster URL). */
export function jwksUrl(
  ctx: TranslateContext,
  problems: Problems,
  namespace: string,
  jwks: {
    url?: string | undefined;
    backendRef?: Parameters<typeof resolveServiceRef>[3] | undefined;
    jwksPath?: string | undefined;
  },
  path: string,
): string | undefined {
  if (jwks.url !== undefined) return jwks.url;
  if (jwks.backendRef === undefined) return undefined;
  const target = resolveServiceRef(ctx, problems, namespace, jwks.backendRef, `${path}.backendRef`);
  if (target === undefined) return undefined;
  const p = jwks.jwksPath ?? '/';
  return `http://${target.host}:${target.port}${p.startsWith('/') ? p : `/${p}`}`;
}
