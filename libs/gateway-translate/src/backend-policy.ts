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
} from '@agentplane/xds/v1/policy';
import type { BackendAuth, BackendPolicy, BackendTls, PromptGuardRule } from '@agentplane/xds/v1/policy';
import { durationField } from './durations.js';
import { configMapValue } from './secret-data.js';
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
): BackendPolicy | undefined {
  problems.unsupportedKeys(spec, ['ai', 'auth', 'http', 'mcp', 'tls'], path);
  const out = create(BackendPolicySchema);
  let set = false;
  if (spec.auth !== undefined) {
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

function translateAuth(
  ctx: TranslateContext,
  problems: Problems,
  namespace: string,
  auth: Auth,
  path: string,
): BackendAuth | undefined {
  problems.unsupportedKeys(auth, ['aws', 'gcp', 'key', 'passthrough', 'secretRef'], path);
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
    problems.unsupportedKeys(auth.aws, ['region', 'serviceName'], `${path}.aws`);
    return create(BackendAuthSchema, {
      kind: {
        case: 'aws',
        value: { region: auth.aws.region ?? '', serviceName: auth.aws.serviceName ?? '' },
      },
    });
  }
  if (auth.gcp !== undefined) {
    problems.unsupportedKeys(auth.gcp, ['audience', 'type'], `${path}.gcp`);
    return create(BackendAuthSchema, {
      kind: {
        case: 'gcp',
        value: {
          audience: auth.gcp.audience ?? '',
          type: auth.gcp.type === 'IdToken' ? 'idToken' : 'accessToken',
        },
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
    problems.unsupportedKeys(item.webhook, ['backendRef'], `${path}.webhook`);
    const target = resolveServiceRef(
      ctx,
      problems,
      namespace,
      item.webhook.backendRef,
      `${path}.webhook.backendRef`,
    );
    if (target === undefined) return undefined;
    rule.kind = {
      case: 'webhook',
      value: { $typeName: 'agentplane.xds.v1.WebhookGuard', host: target.host, port: target.port, path: '' },
    };
    return rule;
  }
  if (item.openAIModeration !== undefined) {
    const m = item.openAIModeration;
    let apiKey = '';
    if (m.policies !== undefined) {
      problems.unsupportedKeys(m.policies, ['auth'], `${path}.openAIModeration.policies`);
      const auth = m.policies.auth;
      if (auth?.key !== undefined) apiKey = auth.key;
      else if (auth?.secretRef !== undefined)
        apiKey =
          readSecret(
            ctx,
            problems,
            namespace,
            auth.secretRef,
            `${path}.openAIModeration.policies.auth.secretRef`,
            ['Authorization'],
          )?.replace(/^Bearer\s+/i, '') ?? '';
    }
    rule.kind = {
      case: 'openaiModeration',
      value: { $typeName: 'agentplane.xds.v1.ModerationGuard', model: m.model ?? '', apiKey },
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
  problems.unsupportedKeys(ai, ['defaults', 'modelAliases', 'overrides', 'prompt', 'promptGuard'], path);
  const out = create(AiPolicySchema, {
    defaults: fieldMap(ai.defaults),
    overrides: fieldMap(ai.overrides),
    modelAliases: Object.fromEntries(
      Object.entries(ai.modelAliases ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)),
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
    out.promptGuard = {
      $typeName: 'agentplane.xds.v1.PromptGuard',
      request: rules(g.request, `${path}.promptGuard.request`),
      response: rules(g.response, `${path}.promptGuard.response`),
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
