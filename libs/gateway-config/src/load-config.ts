import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { substituteEnv } from './env-substitution.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { formatPath } from './format-path.js';
import { lowerLocalConfig } from './lower-local-config.js';
import type { GatewayModel } from './model.js';
import { rawConfig, type RawConfig } from './schema/root.js';

export interface LoadConfigOptions {
  /** Values for `$VAR` / `${VAR}` references. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface LoadedConfig {
  readonly model: GatewayModel;
  /** The validated document after env substitution (contains secrets; never log it). */
  readonly raw: RawConfig;
  /** Non-fatal findings, e.g. env vars referenced but unset. */
  readonly warnings: readonly string[];
}

/** Parses, validates and lowers a local config file (YAML or JSON text). Throws ConfigError. */
export function loadConfig(text: string, options: LoadConfigOptions): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      'CONFIG_SYNTAX',
      doc.errors.map((e) => {
        const at = lineCounter.linePos(e.pos[0]);
        return {
          path: '',
          message: `${e.message.split('\n')[0] ?? e.message} (line ${at.line}, column ${at.col})`,
        };
      }),
    );
  }
  const parsed: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  return validateConfig(parsed, options);
}

/** Validates and lowers an already parsed document. Throws ConfigError. */
export function validateConfig(doc: unknown, options: LoadConfigOptions): LoadedConfig {
  const { value, unset } = substituteEnv(doc, options.env);
  const result = rawConfig.safeParse(value);
  if (!result.success) throw new ConfigError('CONFIG_INVALID', zodIssues(result.error.issues));
  const model = lowerLocalConfig(result.data);
  return {
    model,
    raw: result.data,
    warnings: [
      ...unset.map((u) => `${u.path}: env var ${u.name} is not set (using an empty string)`),
      ...unappliedKeys(result.data).map(
        (path) => `${path}: accepted for compatibility with agentgateway, but not applied by this gateway`,
      ),
    ],
  };
}

/** Keys agentgateway's format has that this gateway reads but does not act on (yet). */
function unappliedKeys(raw: RawConfig): string[] {
  const c = raw.config;
  const present: [string, unknown][] = [
    ['config.tracing.fields', c?.tracing?.fields],
    ['config.tracing.clientSampling', c?.tracing?.clientSampling],
    ['config.tracing.path', c?.tracing?.path],
    ['config.logging.fields', c?.logging?.fields],
    ['config.metrics', c?.metrics],
    ['config.workerThreads', c?.workerThreads],
    ['config.connectionMinTerminationDeadline', c?.connectionMinTerminationDeadline],
  ];
  return [
    ...present.filter(([, v]) => v !== undefined && v !== null).map(([path]) => path),
    ...unappliedAiKeys(raw, []),
  ];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * LLM settings the LLM gateway does not act on, wherever they sit (route, backend, listener or
 * `llm:` policies and models): a request guard's `scope` (every guard sees the system prompt
 * and the messages).
 */
function unappliedAiKeys(node: unknown, path: readonly PropertyKey[]): string[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => unappliedAiKeys(v, [...path, i]));
  if (!isRecord(node)) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (value === undefined || value === null) continue;
    const at = [...path, key];
    if (key === 'ai' && isRecord(value)) {
      const guard = value.promptGuard;
      const request = isRecord(guard) && Array.isArray(guard.request) ? guard.request : [];
      request.forEach((g: unknown, i) => {
        if (isRecord(g) && g.scope !== undefined)
          out.push(formatPath([...at, 'promptGuard', 'request', i, 'scope']));
      });
      out.push(...unappliedAiKeys(value, at).filter((p) => !out.includes(p)));
    } else out.push(...unappliedAiKeys(value, at));
  }
  return out;
}

type ZodIssue = z.core.$ZodIssue;

/** Zod issues as config issues, with `prefix` before each path (unions report their closest branch). */
export function zodIssues(issues: readonly ZodIssue[], prefix: readonly PropertyKey[] = []): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: formatPath([...path, key]), message: 'unknown key' });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      out.push(...zodIssues(bestBranch(issue.errors), path));
    } else {
      out.push({ path: formatPath(path), message: issue.message });
    }
  }
  return out;
}

/** Of a union's failed branches, the one that got furthest: its issues are deepest, then fewest. */
function bestBranch(branches: readonly (readonly ZodIssue[])[]): readonly ZodIssue[] {
  const score = (b: readonly ZodIssue[]) => {
    const typeMismatchAtRoot = b.some((i) => i.code === 'invalid_type' && i.path.length === 0);
    const depth = Math.max(0, ...b.map((i) => i.path.length));
    return (typeMismatchAtRoot ? -1000 : 0) + depth * 10 - b.length;
  };
  let best = branches[0] ?? [];
  for (const b of branches) if (score(b) > score(best)) best = b;
  return best;
}
