import { isDeepStrictEqual } from 'node:util';
import type { CompiledRule, Matcher } from './compile-rules.js';
import type { RequestView } from './request-view.js';
import { bestWindowSimilarity, diceSimilarity } from './similarity.js';

/** Shortens a text for messages, keeping it on one line. */
export function clip(text: string, max = 120): string {
  const flat = JSON.stringify(text);
  return flat.length <= max ? flat : `${flat.slice(0, max - 4)}..."`;
}

/** Why the request's text does not satisfy the matcher's text criteria; empty when it does. */
function textMismatches(m: Matcher, text: string): string[] {
  const reasons: string[] = [];
  const fold = (s: string): string => (m.ignoreCase ? s.toLowerCase() : s);
  if (m.exact !== undefined && fold(text) !== fold(m.exact))
    reasons.push(`text is not exactly ${clip(m.exact)}`);
  if (m.contains !== undefined && !fold(text).includes(fold(m.contains))) {
    reasons.push(`text does not contain ${clip(m.contains)}`);
  }
  if (m.regex !== undefined) {
    m.regex.lastIndex = 0;
    if (!m.regex.test(text)) reasons.push(`text does not match ${String(m.regex)}`);
  }
  return reasons;
}

/** Why the request fails the matcher apart from the text; empty when it passes. */
function otherMismatches(m: Matcher, view: RequestView): string[] {
  const reasons: string[] = [];
  if (m.provider !== undefined && m.provider !== view.provider) {
    reasons.push(`request is ${view.provider} format, rule wants ${m.provider}`);
  }
  if (m.stream !== undefined && m.stream !== view.stream) {
    reasons.push(
      `request is ${view.stream ? 'streamed' : 'buffered'}, rule wants ${m.stream ? 'streamed' : 'buffered'}`,
    );
  }
  if (m.model !== undefined && m.model !== view.model) {
    reasons.push(`model is ${clip(view.model)}, rule wants ${clip(m.model)}`);
  }
  const last = view.last;
  if (last === undefined) {
    if (m.roles !== undefined || m.toolCallId !== undefined || m.fields !== undefined)
      reasons.push('request has no messages');
    return reasons;
  }
  if (m.roles !== undefined && !m.roles.includes(last.role)) {
    reasons.push(
      `last message role is "${last.role}", rule wants ${m.roles.map((r) => `"${r}"`).join(' or ')}`,
    );
  }
  if (m.toolCallId !== undefined && !last.toolCallIds.includes(m.toolCallId)) {
    const got =
      last.toolCallIds.length === 0 ? 'no tool call' : last.toolCallIds.map((id) => `"${id}"`).join(', ');
    reasons.push(`last message answers ${got}, rule wants "${m.toolCallId}"`);
  }
  if (m.fields !== undefined) {
    for (const [key, value] of Object.entries(m.fields)) {
      if (!isDeepStrictEqual(last.raw[key], value)) reasons.push(`message field "${key}" differs`);
    }
  }
  return reasons;
}

/** Every reason the rule does not match the request (use limits aside); empty when it matches. */
export function mismatches(rule: CompiledRule, view: RequestView): string[] {
  const text = view.last?.text ?? '';
  const hasText =
    rule.matcher.exact !== undefined ||
    rule.matcher.contains !== undefined ||
    rule.matcher.regex !== undefined;
  const textReasons =
    hasText && view.last === undefined ? ['request has no messages'] : textMismatches(rule.matcher, text);
  return [...textReasons, ...otherMismatches(rule.matcher, view)];
}

/**
 * The first rule, in order, that matches the request and still has uses left
 * (`uses[i]` counts how often rule i has matched so far).
 */
export function findMatchingRule(
  rules: readonly CompiledRule[],
  view: RequestView,
  uses: readonly number[],
): CompiledRule | undefined {
  return rules.find((rule) => !exhausted(rule, uses) && mismatches(rule, view).length === 0);
}

function exhausted(rule: CompiledRule, uses: readonly number[]): boolean {
  return rule.times !== undefined && (uses[rule.index] ?? 0) >= rule.times;
}

/** How close the request's last message text is to what the rule looks for, 0..1. */
function textSimilarity(m: Matcher, text: string): number {
  if (m.exact !== undefined) return diceSimilarity(m.exact, text);
  if (m.contains !== undefined) return m.contains === '' ? 1 : bestWindowSimilarity(m.contains, text);
  if (m.regex !== undefined)
    return bestWindowSimilarity(m.regex.source.replace(/[\\^$.*+?()[\]{}|]/g, ''), text);
  return 1;
}

export interface ClosestRule {
  readonly rule: CompiledRule;
  readonly similarity: number;
  readonly reasons: readonly string[];
}

/** The rule that comes closest to matching: by text similarity, less a penalty for each other mismatch. */
export function findClosestRule(
  rules: readonly CompiledRule[],
  view: RequestView,
  uses: readonly number[],
): ClosestRule | undefined {
  let best: (ClosestRule & { score: number }) | undefined;
  for (const rule of rules) {
    const similarity = textSimilarity(rule.matcher, view.last?.text ?? '');
    const reasons = mismatches(rule, view);
    if (exhausted(rule, uses)) reasons.push(`rule is used up (times: ${rule.times})`);
    const others = reasons.filter((r) => !r.startsWith('text ')).length;
    const score = similarity - 0.25 * others;
    if (best === undefined || score > best.score) best = { rule, similarity, reasons, score };
  }
  return best === undefined
    ? undefined
    : { rule: best.rule, similarity: best.similarity, reasons: best.reasons };
}

function describeCriteria(m: Matcher): string {
  const parts: string[] = [];
  if (m.exact !== undefined) parts.push(`exact ${clip(m.exact)}`);
  if (m.contains !== undefined) parts.push(`contains ${clip(m.contains)}`);
  if (m.regex !== undefined) parts.push(`regex ${String(m.regex)}`);
  return parts.length === 0 ? 'no text criterion' : parts.join(', ');
}

/** The message of the error returned when no rule matches. */
export function noMatchMessage(
  rules: readonly CompiledRule[],
  view: RequestView,
  uses: readonly number[],
  path: string,
): string {
  const last = view.last;
  const lastPart =
    last === undefined
      ? 'The request has no messages.'
      : `Last message (${last.role}): ${clip(last.text, 300)}.`;
  const head = `mock-llm: no rule matched POST ${path} (${view.provider} format). ${lastPart}`;
  if (rules.length === 0) return `${head} The mock has no rules.`;
  const closest = findClosestRule(rules, view, uses);
  if (closest === undefined) return head;
  const { rule, similarity, reasons } = closest;
  const why = reasons.length === 0 ? '' : `; ${reasons.join('; ')}`;
  return (
    `${head} Closest rule: "${rule.name}" (${rule.path}, ${describeCriteria(rule.matcher)}, ` +
    `similarity ${similarity.toFixed(2)}${why}).`
  );
}
