import { contentText } from './request-view.js';
import type {
  ErrorReplySpec,
  ParsedRule,
  ParsedScript,
  Provider,
  RawReplySpec,
  ResponseSpec,
} from './script-schema.js';

/** What a rule requires of a request; every field present must hold. */
export interface Matcher {
  readonly exact?: string;
  readonly contains?: string;
  readonly regex?: RegExp;
  readonly ignoreCase: boolean;
  readonly roles?: readonly string[];
  readonly toolCallId?: string;
  readonly model?: string;
  readonly provider?: Provider;
  readonly stream?: boolean;
  /** kagent `exact`: further fields of the expected message that must be deeply equal. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

export type RuleReply =
  | { readonly kind: 'reply'; readonly response?: ResponseSpec; readonly raw?: RawReplySpec }
  | { readonly kind: 'error'; readonly error: ErrorReplySpec };

export interface Faults {
  readonly delayMs?: number;
  readonly chunkDelayMs?: number;
  readonly dropAfterChunks?: number;
}

/** A validated rule, ready to match; `index` is its place in matching order. */
export interface CompiledRule {
  readonly index: number;
  /** Where it came from in the script, e.g. `rules[0]` or `openai[2]`. */
  readonly path: string;
  /** Its `name`, or its path when unnamed. */
  readonly name: string;
  readonly matcher: Matcher;
  readonly reply: RuleReply;
  readonly times: number | undefined;
  readonly faults: Faults;
}

interface FaultFields {
  times?: number | undefined;
  delayMs?: number | undefined;
  chunkDelayMs?: number | undefined;
  dropAfterChunks?: number | undefined;
}

function faultsOf(rule: FaultFields): Faults {
  const faults: { delayMs?: number; chunkDelayMs?: number; dropAfterChunks?: number } = {};
  if (rule.delayMs !== undefined) faults.delayMs = rule.delayMs;
  if (rule.chunkDelayMs !== undefined) faults.chunkDelayMs = rule.chunkDelayMs;
  if (rule.dropAfterChunks !== undefined) faults.dropAfterChunks = rule.dropAfterChunks;
  return faults;
}

function compileOwn(rule: ParsedRule, path: string, index: number): CompiledRule {
  const m = rule.match ?? {};
  const matcher: {
    -readonly [K in keyof Matcher]: Matcher[K];
  } = { ignoreCase: m.ignoreCase === true };
  if (m.exact !== undefined) matcher.exact = m.exact;
  if (m.contains !== undefined) matcher.contains = m.contains;
  if (m.regex !== undefined) matcher.regex = new RegExp(m.regex, m.regexFlags);
  if (m.role !== undefined) matcher.roles = Array.isArray(m.role) ? m.role : [m.role];
  if (m.toolCallId !== undefined) matcher.toolCallId = m.toolCallId;
  if (m.model !== undefined) matcher.model = m.model;
  if (m.provider !== undefined) matcher.provider = m.provider;
  if (m.stream !== undefined) matcher.stream = m.stream;
  const reply: RuleReply =
    rule.error !== undefined
      ? { kind: 'error', error: rule.error }
      : {
          kind: 'reply',
          ...(rule.response !== undefined ? { response: rule.response } : {}),
          ...(rule.raw !== undefined ? { raw: rule.raw } : {}),
        };
  return { index, path, name: rule.name ?? path, matcher, reply, times: rule.times, faults: faultsOf(rule) };
}

interface KagentMock extends FaultFields {
  name: string;
  match: { match_type: 'exact' | 'contains'; message: Record<string, unknown> };
  response: Record<string, unknown>;
}

function compileKagent(mock: KagentMock, provider: Provider, path: string, index: number): CompiledRule {
  const { role, content, tool_call_id: toolCallId, ...rest } = mock.match.message;
  const roleName = typeof role === 'string' ? role : '';
  // kagent compares Anthropic roles as sent; tool results travel in "user" messages there.
  const roles = provider === 'anthropic' && roleName === 'user' ? ['user', 'tool'] : [roleName];
  const text = contentText(content);
  const matcher: { -readonly [K in keyof Matcher]: Matcher[K] } = { ignoreCase: false, provider, roles };
  if (mock.match.match_type === 'exact') {
    matcher.exact = text;
    if (typeof toolCallId === 'string') matcher.toolCallId = toolCallId;
    if (Object.keys(rest).length > 0) matcher.fields = rest;
  } else {
    matcher.contains = text;
  }
  const raw: RawReplySpec = provider === 'openai' ? { openai: mock.response } : { anthropic: mock.response };
  return {
    index,
    path,
    name: mock.name === '' ? path : mock.name,
    matcher,
    reply: { kind: 'reply', raw },
    times: mock.times,
    faults: faultsOf(mock),
  };
}

/** Turns a validated script into rules in matching order: `rules`, then `openai`, then `anthropic`. */
export function compileRules(script: ParsedScript): CompiledRule[] {
  const out: CompiledRule[] = [];
  (script.rules ?? []).forEach((rule, i) => out.push(compileOwn(rule, `rules[${i}]`, out.length)));
  (script.openai ?? []).forEach((mock, i) =>
    out.push(compileKagent(mock, 'openai', `openai[${i}]`, out.length)),
  );
  (script.anthropic ?? []).forEach((mock, i) =>
    out.push(compileKagent(mock, 'anthropic', `anthropic[${i}]`, out.length)),
  );
  return out;
}
