import { create } from '@bufbuild/protobuf';
import type { JsonObject } from '@bufbuild/protobuf';
import type { AgentgatewayPolicySpec } from '@agentplane/crds';
import {
  ApiKeyAuthenticationSchema,
  ApiKeySchema,
  AuthorizationSchema,
  BasicAuthenticationSchema,
  CorsSchema,
  CsrfSchema,
  DirectResponseSchema,
  HeaderModifierSchema,
  JwtAuthenticationSchema,
  LocalRateLimitSchema,
  RateLimitType,
  RetrySchema,
  TimeoutSchema,
  TrafficPolicySchema,
} from '@agentplane/xds/v1/policy';
import type { ApiKey, HeaderModifier, TrafficPolicy } from '@agentplane/xds/v1/policy';
import { authMode, authorizationAction, jwksUrl } from './backend-policy.js';
import { durationField, durationFromMs } from './durations.js';
import { matchesSelector } from './label-selector.js';
import { secretKeys, secretValue } from './secret-data.js';
import type { Problems, TranslateContext } from './translate-context.js';
import { readSecret, sortedJson } from './translate-context.js';

export type TrafficPolicies = NonNullable<AgentgatewayPolicySpec['traffic']>;

const UNIT_MS = { Seconds: 1000, Minutes: 60_000, Hours: 3_600_000 } as const;

interface HeaderOps {
  add?: { name: string; value: string }[] | undefined;
  set?: { name: string; value: string }[] | undefined;
  remove?: string[] | undefined;
}

/** A Gateway API / agentgateway header filter as a HeaderModifier. */
export function headerModifier(ops: HeaderOps): HeaderModifier {
  return create(HeaderModifierSchema, {
    add: (ops.add ?? []).map((h) => ({ name: h.name, value: h.value })),
    set: (ops.set ?? []).map((h) => ({ name: h.name, value: h.value })),
    remove: ops.remove ?? [],
  });
}

/** Translates `spec.traffic` of an AgentgatewayPolicy. Secrets are read from `namespace`. */
export function translateTrafficPolicies(
  ctx: TranslateContext,
  problems: Problems,
  namespace: string,
  spec: TrafficPolicies,
  path: string,
): TrafficPolicy {
  problems.unsupportedKeys(
    spec,
    [
      'apiKeyAuthentication',
      'authorization',
      'basicAuthentication',
      'cors',
      'csrf',
      'directResponse',
      'headerModifiers',
      'jwtAuthentication',
      'rateLimit',
      'retry',
      'timeouts',
    ],
    path,
  );
  const out = create(TrafficPolicySchema);
  if (spec.authorization !== undefined) {
    out.authorization = create(AuthorizationSchema, {
      action: authorizationAction(spec.authorization.action),
      rules: spec.authorization.policy.matchExpressions,
    });
  }
  if (spec.jwtAuthentication !== undefined) {
    const jwt = spec.jwtAuthentication;
    const p = `${path}.jwtAuthentication`;
    problems.unsupportedKeys(jwt, ['mode', 'providers'], p);
    out.jwtAuth = create(JwtAuthenticationSchema, {
      mode: authMode(jwt.mode),
      providers: jwt.providers.map((provider, i) => {
        const pp = `${p}.providers[${i}].jwks`;
        let jwks: { source: { case: 'inline' | 'url'; value: string } } | undefined;
        if (provider.jwks.inline !== undefined)
          jwks = { source: { case: 'inline', value: provider.jwks.inline } };
        else if (provider.jwks.remote !== undefined) {
          const url = jwksUrl(ctx, problems, namespace, provider.jwks.remote, `${pp}.remote`);
          if (url !== undefined) jwks = { source: { case: 'url', value: url } };
        }
        return { issuer: provider.issuer, audiences: provider.audiences ?? [], ...(jwks ? { jwks } : {}) };
      }),
    });
  }
  if (spec.apiKeyAuthentication !== undefined) {
    const a = spec.apiKeyAuthentication;
    const p = `${path}.apiKeyAuthentication`;
    problems.unsupportedKeys(a, ['mode', 'secretRef', 'secretSelector'], p);
    const secrets = a.secretRef
      ? [ctx.index.secret({ namespace, name: a.secretRef.name })]
      : [...ctx.index.secrets.values()].filter(
          (s) =>
            (s.metadata?.namespace ?? 'default') === namespace &&
            a.secretSelector !== undefined &&
            matchesSelector(a.secretSelector, s.metadata?.labels),
        );
    if (a.secretRef && secrets[0] === undefined)
      problems.add(`${p}.secretRef: Secret ${namespace}/${a.secretRef.name} not found`);
    const keys: ApiKey[] = [];
    for (const secret of secrets) {
      if (secret === undefined) continue;
      for (const entry of secretKeys(secret)) keys.push(apiKeyEntry(entry, secretValue(secret, entry) ?? ''));
    }
    out.apiKey = create(ApiKeyAuthenticationSchema, { mode: authMode(a.mode), keys });
  }
  if (spec.basicAuthentication !== undefined) {
    const b = spec.basicAuthentication;
    const p = `${path}.basicAuthentication`;
    problems.unsupportedKeys(b, ['mode', 'realm', 'secretRef', 'users'], p);
    const htpasswd =
      b.users !== undefined
        ? b.users.join('\n')
        : b.secretRef !== undefined
          ? readSecret(ctx, problems, namespace, b.secretRef, `${p}.secretRef`, [
              '.htaccess',
              '.htpasswd',
              'htpasswd',
            ])
          : undefined;
    out.basicAuth = create(BasicAuthenticationSchema, {
      mode: authMode(b.mode),
      realm: b.realm ?? '',
      htpasswd: htpasswd ?? '',
    });
  }
  if (spec.cors !== undefined) {
    const c = spec.cors;
    problems.unsupportedKeys(
      c,
      ['allowCredentials', 'allowHeaders', 'allowMethods', 'allowOrigins', 'exposeHeaders', 'maxAge'],
      `${path}.cors`,
    );
    out.cors = create(CorsSchema, {
      allowCredentials: c.allowCredentials ?? false,
      allowHeaders: c.allowHeaders ?? [],
      allowMethods: c.allowMethods ?? [],
      allowOrigins: c.allowOrigins ?? [],
      exposeHeaders: c.exposeHeaders ?? [],
      maxAge: durationFromMs(c.maxAge * 1000),
    });
  }
  if (spec.csrf !== undefined) {
    out.csrf = create(CsrfSchema, { additionalOrigins: spec.csrf.additionalOrigins ?? [] });
  }
  if (spec.directResponse !== undefined) {
    const d = spec.directResponse;
    problems.unsupportedKeys(d, ['body', 'headers', 'status'], `${path}.directResponse`);
    out.directResponse = create(DirectResponseSchema, {
      status: d.status ?? 200,
      body: Buffer.from(d.body ?? ''),
      headers: (d.headers ?? []).map((h) => ({ name: h.name, value: h.value })),
    });
  }
  if (spec.headerModifiers !== undefined) {
    if (spec.headerModifiers.request)
      out.requestHeaderModifier = headerModifier(spec.headerModifiers.request);
    if (spec.headerModifiers.response)
      out.responseHeaderModifier = headerModifier(spec.headerModifiers.response);
  }
  if (spec.rateLimit !== undefined) {
    const p = `${path}.rateLimit`;
    problems.unsupportedKeys(spec.rateLimit, ['local'], p);
    out.localRateLimit = (spec.rateLimit.local ?? []).map((l) => {
      const amount = l.requests ?? l.tokens ?? 1;
      return create(LocalRateLimitSchema, {
        maxTokens: BigInt(amount + (l.burst ?? 0)),
        tokensPerFill: BigInt(amount),
        fillInterval: durationFromMs(UNIT_MS[l.unit]),
        type: l.tokens !== undefined ? RateLimitType.TOKENS : RateLimitType.REQUESTS,
      });
    });
  }
  if (spec.retry !== undefined) {
    const r = spec.retry;
    problems.unsupportedKeys(r, ['attempts', 'backoff', 'codes'], `${path}.retry`);
    const backoff = r.backoff !== undefined ? durationField(r.backoff, `${path}.retry.backoff`) : undefined;
    if (backoff !== undefined && !backoff.ok) problems.add(backoff.error);
    out.retry = create(RetrySchema, {
      attempts: r.attempts ?? 1,
      codes: [...(r.codes ?? [])].sort((a, b) => a - b),
      ...(backoff?.ok ? { backoff: backoff.value } : {}),
    });
  }
  if (spec.timeouts?.request !== undefined) {
    const d = durationField(spec.timeouts.request, `${path}.timeouts.request`);
    if (d.ok) out.timeout = create(TimeoutSchema, { requestTimeout: d.value });
    else problems.add(d.error);
  }
  return out;
}

/**
 * One API key from a Secret entry: the value is either the key itself, or JSON
 * `{"key": "...", "metadata": {...}}`. The entry name becomes metadata `name` when none is given.
 */
function apiKeyEntry(entry: string, value: string): ApiKey {
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as { key?: unknown; metadata?: unknown };
      if (typeof parsed.key === 'string') {
        const metadata =
          parsed.metadata !== null && typeof parsed.metadata === 'object' ? parsed.metadata : { name: entry };
        return create(ApiKeySchema, { key: parsed.key, metadata: sortedJson(metadata) as JsonObject });
      }
    } catch {
      // not JSON: the value is the key itself
    }
  }
  return create(ApiKeySchema, { key: trimmed, metadata: { name: entry } });
}
