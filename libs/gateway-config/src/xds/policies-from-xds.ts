// Lowers the policy messages of our xDS resources (TrafficPolicy, BackendPolicy) into the model's
// TrafficPolicies. Pure. Problems are reported through `issue` (the caller NACKs on any).
import { toJson, type JsonObject } from '@bufbuild/protobuf';
import { ValueSchema, type Duration } from '@bufbuild/protobuf/wkt';
import { AuthMode, type Jwks, type KeyValue } from '@agentplane/xds/v1/common';
import {
  AuthorizationAction,
  GuardAction,
  RateLimitType,
  type BackendPolicy,
  type HeaderModifier,
  type PromptGuard,
  type PromptGuardRule,
  type TrafficPolicy,
} from '@agentplane/xds/v1/policy';
import type { z } from 'zod';
import type {
  BackendAuthModel,
  HeaderModifierModel,
  HostRewriteModel,
  PathRewriteModel,
  RuleModel,
  TrafficPolicies,
} from '../model.js';
import { aiPolicy } from '../schema/ai.js';
import { apiKey, basicAuth, jwtAuth, mcpAuthentication } from '../schema/policies.js';

export type IssueSink = (path: string, message: string) => void;

/** `backendAuth.aws` from xDS: AWS SigV4 signing, which only AI providers can do. */
export interface XdsAwsAuth {
  readonly kind: 'aws';
  readonly region?: string;
  readonly serviceName?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
}

/**
 * Policies as lowered from xDS, before they are placed: AWS signing may still be among them
 * (lower-xds-resources moves it to the AI providers, and nowhere else).
 */
export type XdsPolicies = Omit<TrafficPolicies, 'backendAuth'> & {
  readonly backendAuth?: BackendAuthModel | XdsAwsAuth;
};

export const AWS_ONLY_AI = 'AWS request signing applies to AI backends only';

/** The policies for a place in the model; AWS signing (already reported where misplaced) is left out. */
export function modelPolicies(p: XdsPolicies): TrafficPolicies {
  if (p.backendAuth?.kind !== 'aws') return p as TrafficPolicies;
  const { backendAuth: _aws, ...rest } = p;
  return rest;
}

/** Milliseconds of a protobuf Duration. */
export function durationMs(d: Duration | undefined): number | undefined {
  if (d === undefined) return undefined;
  return Number(d.seconds) * 1000 + Math.floor(d.nanos / 1_000_000);
}

const utf8 = new TextDecoder();
const text = (b: Uint8Array): string | undefined => (b.length === 0 ? undefined : utf8.decode(b));

function mode(m: AuthMode): 'strict' | 'optional' | 'permissive' | undefined {
  switch (m) {
    case AuthMode.STRICT:
      return 'strict';
    case AuthMode.OPTIONAL:
      return 'optional';
    case AuthMode.PERMISSIVE:
      return 'permissive';
    default:
      return undefined;
  }
}

function jwks(j: Jwks | undefined): string | { url: string } | undefined {
  if (j?.source.case === 'inline') return j.source.value;
  if (j?.source.case === 'url') return { url: j.source.value };
  return undefined;
}

function rules(action: AuthorizationAction, list: readonly string[]): RuleModel[] {
  const effect =
    action === AuthorizationAction.DENY
      ? 'deny'
      : action === AuthorizationAction.REQUIRE
        ? 'require'
        : 'allow';
  return list.map((expression) => ({ effect, expression: expression.trim() }));
}

function headerModifier(h: HeaderModifier): HeaderModifierModel {
  const pairs = (kv: readonly KeyValue[]) => kv.map((p) => [p.name.toLowerCase(), p.value] as const);
  return { add: pairs(h.add), set: pairs(h.set), remove: h.remove.map((n) => n.toLowerCase()) };
}

function hostRewrite(hostname: string, port: number): HostRewriteModel | undefined {
  if (hostname !== '' && port !== 0) return { kind: 'full', value: `${hostname}:${port}` };
  if (hostname !== '') return { kind: 'host', value: hostname };
  if (port !== 0) return { kind: 'port', value: port };
  return undefined;
}

function pathRewrite(
  p: { case: 'fullPath' | 'prefixPath'; value: string } | { case: undefined; value?: undefined },
): PathRewriteModel | undefined {
  if (p.case === 'fullPath') return { kind: 'full', value: p.value };
  if (p.case === 'prefixPath') return { kind: 'prefix', value: p.value };
  return undefined;
}

/** Validates a raw (local-config shaped) value with the local schema; reports its first problem. */
function parsed<T>(schema: z.ZodType<T>, value: unknown, path: string, issue: IssueSink): T | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  issue(
    `${path}${first && first.path.length > 0 ? `.${first.path.join('.')}` : ''}`,
    first?.message ?? 'invalid',
  );
  return undefined;
}

function regexIssue(source: string, path: string, issue: IssueSink): void {
  try {
    new RegExp(source);
  } catch (e) {
    issue(path, `invalid regular expression: ${(e as Error).message}`);
  }
}

function defined<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

const BUILTINS = new Set(['ssn', 'creditCard', 'phoneNumber', 'email', 'caSin']);

/** One guard rule in the local config's shape (`promptGuard.request[i]` / `.response[i]`). */
function guardRule(r: PromptGuardRule, path: string, issue: IssueSink): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.rejection) {
    const j = r.rejection;
    out.rejection = defined({
      status: j.status === 0 ? undefined : j.status,
      body: text(j.body),
      headers:
        j.headers.length > 0
          ? { set: Object.fromEntries(j.headers.map((h) => [h.name, h.value])) }
          : undefined,
    });
  }
  const k = r.kind;
  switch (k.case) {
    case 'regex': {
      const g = k.value;
      for (const [i, b] of g.builtins.entries())
        if (!BUILTINS.has(b)) issue(`${path}.regex.builtins[${i}]`, `unknown builtin ${JSON.stringify(b)}`);
      g.patterns.forEach((p, i) => regexIssue(p, `${path}.regex.patterns[${i}]`, issue));
      out.regex = {
        action: g.action === GuardAction.REJECT ? 'reject' : 'mask',
        rules: [...g.builtins.map((builtin) => ({ builtin })), ...g.patterns.map((pattern) => ({ pattern }))],
      };
      break;
    }
    case 'webhook': {
      const w = k.value;
      if (w.host === '') issue(`${path}.webhook.host`, 'a webhook needs a host');
      if (w.port < 1 || w.port > 65535) issue(`${path}.webhook.port`, `invalid port ${w.port}`);
      if (w.path !== '' && w.path !== '/')
        issue(`${path}.webhook.path`, 'a webhook path is not supported (calls go to /request and /response)');
      const host = w.host.includes(':') ? `[${w.host}]` : w.host;
      out.webhook = defined({
        target: { host: `${host}:${w.port}` },
        headers: Object.keys(w.headers).length > 0 ? { ...w.headers } : undefined,
        forwardHeaderMatches:
          w.forwardHeaderMatches.length > 0
            ? w.forwardHeaderMatches.map((m, i) => {
                const at = `${path}.webhook.forwardHeaderMatches[${i}]`;
                if (m.value.case === 'regex') regexIssue(m.value.value, `${at}.regex`, issue);
                else if (m.value.case === undefined) issue(at, 'a header match needs exact or regex');
                return {
                  name: m.name,
                  value: m.value.case === 'regex' ? { regex: m.value.value } : { exact: m.value.value ?? '' },
                };
              })
            : undefined,
        failureMode: w.failOpen ? 'failOpen' : 'failClosed',
      });
      break;
    }
    case 'openaiModeration':
      if (k.value.apiKey !== '')
        issue(
          `${path}.openaiModeration.apiKey`,
          'a moderation API key per guard is not supported (the gateway uses its OPENAI_API_KEY)',
        );
      out.openAIModeration = k.value.model === '' ? {} : { model: k.value.model };
      break;
    default:
      issue(path, 'a prompt guard needs regex, webhook or openaiModeration');
  }
  return out;
}

/** A PromptGuard message in the local config's shape. */
function promptGuard(g: PromptGuard, path: string, issue: IssueSink): Record<string, unknown> {
  return {
    request: g.request.map((r, i) => guardRule(r, `${path}.request[${i}]`, issue)),
    response: g.response.map((r, i) => guardRule(r, `${path}.response[${i}]`, issue)),
    // Off unless asked for, as the CRD's `streaming: Enabled` documents.
    streaming: g.streaming ? 'Enabled' : 'Disabled',
  };
}

/** A TrafficPolicy message as model policies. */
export function trafficPolicies(
  t: TrafficPolicy | undefined,
  path: string,
  issue: IssueSink,
): TrafficPolicies {
  if (!t) return {};
  const out: Record<string, unknown> = {};
  if (t.jwtAuth) {
    const v = parsed(
      jwtAuth,
      defined({
        mode: mode(t.jwtAuth.mode),
        providers: t.jwtAuth.providers.map((p) =>
          defined({
            issuer: p.issuer,
            audiences: p.audiences.length > 0 ? p.audiences : undefined,
            jwks: jwks(p.jwks) ?? '',
          }),
        ),
      }),
      `${path}.jwtAuth`,
      issue,
    );
    if (v) out.jwtAuth = v;
  }
  if (t.apiKey) {
    const v = parsed(
      apiKey,
      defined({
        mode: mode(t.apiKey.mode),
        keys: t.apiKey.keys.map((k) => defined({ key: k.key, metadata: k.metadata })),
      }),
      `${path}.apiKey`,
      issue,
    );
    if (v) out.apiKey = v;
  }
  if (t.basicAuth) {
    const m = mode(t.basicAuth.mode);
    if (m === 'permissive') issue(`${path}.basicAuth.mode`, 'permissive is not supported for basic auth');
    const v = parsed(
      basicAuth,
      defined({
        htpasswd: t.basicAuth.htpasswd,
        realm: t.basicAuth.realm === '' ? undefined : t.basicAuth.realm,
        mode: m === 'permissive' ? undefined : m,
      }),
      `${path}.basicAuth`,
      issue,
    );
    if (v) out.basicAuth = v;
  }
  if (t.authorization) out.authorization = rules(t.authorization.action, t.authorization.rules);
  if (t.cors) {
    const c = t.cors;
    const maxAge = durationMs(c.maxAge);
    out.cors = {
      allowCredentials: c.allowCredentials,
      allowHeaders: c.allowHeaders,
      allowMethods: c.allowMethods,
      allowOrigins: c.allowOrigins,
      exposeHeaders: c.exposeHeaders,
      ...(maxAge !== undefined ? { maxAgeSeconds: Math.floor(maxAge / 1000) } : {}),
    };
  }
  if (t.csrf) issue(`${path}.csrf`, 'csrf is not supported by this gateway yet');
  if (t.localRateLimit.length > 0) {
    out.localRateLimit = t.localRateLimit.map((r, i) => {
      const fill = durationMs(r.fillInterval) ?? 0;
      if (r.maxTokens === 0n) issue(`${path}.localRateLimit[${i}].maxTokens`, 'maxTokens must be positive');
      if (fill <= 0) issue(`${path}.localRateLimit[${i}].fillInterval`, 'fillInterval must be positive');
      return {
        maxTokens: Number(r.maxTokens),
        tokensPerFill: r.tokensPerFill === 0n ? 1 : Number(r.tokensPerFill),
        fillIntervalMs: fill,
        type: r.type === RateLimitType.TOKENS ? 'tokens' : 'requests',
      };
    });
  }
  if (t.timeout) {
    const req = durationMs(t.timeout.requestTimeout);
    const backend = durationMs(t.timeout.backendRequestTimeout);
    out.timeout = defined({ requestTimeoutMs: req, backendRequestTimeoutMs: backend });
  }
  if (t.retry) {
    const backoff = durationMs(t.retry.backoff);
    out.retry = {
      attempts: t.retry.attempts,
      codes: t.retry.codes,
      ...(backoff !== undefined ? { backoffMs: backoff } : {}),
    };
  }
  if (t.requestHeaderModifier) out.requestHeaderModifier = headerModifier(t.requestHeaderModifier);
  if (t.responseHeaderModifier) out.responseHeaderModifier = headerModifier(t.responseHeaderModifier);
  if (t.requestRedirect) {
    const r = t.requestRedirect;
    const authority = hostRewrite(r.hostname, r.port);
    const p = pathRewrite(r.path);
    out.requestRedirect = {
      ...(r.scheme !== '' ? { scheme: r.scheme } : {}),
      ...(authority ? { authority } : {}),
      ...(p ? { path: p } : {}),
      status: r.status === 0 ? 302 : r.status,
    };
  }
  if (t.urlRewrite) {
    const authority = t.urlRewrite.hostname !== '' ? hostRewrite(t.urlRewrite.hostname, 0) : undefined;
    const p = pathRewrite(t.urlRewrite.path);
    out.urlRewrite = { ...(authority ? { authority } : {}), ...(p ? { path: p } : {}) };
  }
  if (t.directResponse) {
    const d = t.directResponse;
    if (d.status < 100 || d.status > 599)
      issue(`${path}.directResponse.status`, `invalid status ${d.status}`);
    out.directResponse = {
      status: d.status,
      body: d.body,
      headers: d.headers.map((h) => [h.name, h.value] as const),
    };
  }
  if (t.a2a) out.a2a = true;
  return out;
}

/**
 * A BackendPolicy message as model policies. AWS signing is kept only where `aws` says it may be
 * (an AI provider, or a Policy whose target decides), and reported elsewhere.
 */
export function backendPolicies(
  b: BackendPolicy | undefined,
  path: string,
  issue: IssueSink,
  aws: 'allowed' | 'refused' = 'refused',
): XdsPolicies {
  if (!b) return {};
  const out: Record<string, unknown> = {};
  if (b.backendTls) {
    const t = b.backendTls;
    if (t.verifySubjectAltNames.length > 0)
      issue(`${path}.backendTls.verifySubjectAltNames`, 'verifying subject alt names is not supported yet');
    out.backendTLS = defined({
      cert: text(t.certChain),
      key: text(t.privateKey),
      root: text(t.rootCa),
      hostname: t.sni === '' ? undefined : t.sni,
      insecure: t.insecureSkipVerify,
      insecureHost: false,
      alpn: t.alpnProtocols.length > 0 ? t.alpnProtocols : undefined,
    });
  }
  if (b.backendAuth) {
    const k = b.backendAuth.kind;
    if (k.case === 'passthrough') out.backendAuth = { kind: 'passthrough' };
    else if (k.case === 'key') out.backendAuth = { kind: 'key', value: { inline: k.value } };
    else if (k.case === 'aws') {
      if (aws === 'refused') issue(`${path}.backendAuth.aws`, AWS_ONLY_AI);
      const w = k.value;
      const credentials = w.accessKeyId !== '' || w.secretAccessKey !== '' || w.sessionToken !== '';
      if (credentials && (w.accessKeyId === '' || w.secretAccessKey === ''))
        issue(`${path}.backendAuth.aws`, 'explicit credentials need both accessKeyId and secretAccessKey');
      out.backendAuth = defined({
        kind: 'aws',
        region: w.region || undefined,
        serviceName: w.serviceName || undefined,
        accessKeyId: w.accessKeyId || undefined,
        secretAccessKey: w.secretAccessKey || undefined,
        sessionToken: w.sessionToken || undefined,
      });
    } else if (k.case !== undefined)
      issue(`${path}.backendAuth.${k.case}`, `${k.case} backend auth is not supported yet`);
  }
  if (b.ai) {
    const a = b.ai;
    const values = (m: Record<string, unknown>): JsonObject | undefined => {
      const e = Object.entries(m);
      if (e.length === 0) return undefined;
      return Object.fromEntries(e.map(([k, v]) => [k, toJson(ValueSchema, v as never)]));
    };
    const msgs = (list: readonly { role: string; content: string }[]) =>
      list.length > 0 ? list.map((m) => ({ role: m.role, content: m.content })) : undefined;
    const prompts =
      a.prompt && (a.prompt.prepend.length > 0 || a.prompt.append.length > 0)
        ? defined({ prepend: msgs(a.prompt.prepend), append: msgs(a.prompt.append) })
        : undefined;
    const v = parsed(
      aiPolicy,
      defined({
        prompts,
        promptGuard: a.promptGuard ? promptGuard(a.promptGuard, `${path}.ai.promptGuard`, issue) : undefined,
        defaults: values(a.defaults),
        overrides: values(a.overrides),
        modelAliases: Object.keys(a.modelAliases).length > 0 ? { ...a.modelAliases } : undefined,
        routes: Object.keys(a.routes).length > 0 ? { ...a.routes } : undefined,
      }),
      `${path}.ai`,
      issue,
    );
    if (v) out.ai = v;
  }
  if (b.mcpAuthentication) {
    const m = b.mcpAuthentication;
    const provider = m.provider === '' ? undefined : { [m.provider.toLowerCase()]: {} };
    const v = parsed(
      mcpAuthentication,
      defined({
        issuer: m.issuer,
        audiences: m.audiences,
        jwks: jwks(m.jwks),
        mode: mode(m.mode),
        provider,
        resourceMetadata: m.resourceMetadata ?? {},
      }),
      `${path}.mcpAuthentication`,
      issue,
    );
    if (v) out.mcpAuthentication = v;
  }
  if (b.mcpAuthorization) out.mcpAuthorization = rules(b.mcpAuthorization.action, b.mcpAuthorization.rules);
  const timeout = durationMs(b.requestTimeout);
  if (timeout !== undefined) out.requestTimeoutMs = timeout;
  return out;
}
