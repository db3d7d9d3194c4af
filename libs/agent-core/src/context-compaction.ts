import type { ChatModel, ToolDefinition } from '@agentplane/llm-client';
import type { CoreLogger } from './core-logger.js';
import { compactionPreamble, lastCompaction, liveEventIndexes } from './history.js';
import { newEvent, type CompactionEvent, type SessionEvent } from './session-event.js';

export interface CompactionOptions {
  /** Estimated prompt tokens at which older turns are compacted. */
  readonly tokenBudget: number;
  /** Writes the summary of the compacted turns; without one they are dropped, with a marker. */
  readonly summarizer?: ChatModel;
  /**
   * Instructions for the summarizer. `{conversation_history}` in it is replaced by the
   * transcript; otherwise the transcript follows as the user message.
   */
  readonly summaryPrompt?: string;
  /** The most recent events that are always kept as they are. Default 0. */
  readonly keepEvents?: number;
}

/** After compaction the kept part is at most this share of the budget, so it does not run every call. */
const KEEP_SHARE = 0.5;
/** Characters per token when no count from the provider is at hand (English prose is about 4). */
const CHARS_PER_TOKEN = 4;
/** Longest tool result quoted to the summarizer. */
const MAX_QUOTED_RESULT = 2_000;

export const DEFAULT_SUMMARY_PROMPT =
  'Summarise the conversation below for the assistant that continues it. Keep what the user ' +
  'wants, the decisions made, the facts learned from tools (names, numbers, identifiers) and ' +
  'any open questions; leave out small talk. Plain text, at most 300 words.';

function tokensOf(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** The characters an event adds to the prompt. */
function eventChars(e: SessionEvent): number {
  switch (e.type) {
    case 'user':
      return e.text.length;
    case 'assistant':
      return e.text.length + (e.toolCalls.length > 0 ? JSON.stringify(e.toolCalls).length : 0);
    case 'tool_result':
      return e.content.length + e.toolName.length;
    default:
      return 0;
  }
}

/**
 * Where the live history may be cut: before a user message (every provider accepts a history
 * that starts with one), with every tool call before the cut answered before it too (a call and
 * its result are never separated).
 */
function cutPoints(events: readonly SessionEvent[], live: readonly number[]): number[] {
  const resultAt = new Map<string, number>();
  for (const i of live) {
    const e = events[i];
    if (e?.type === 'tool_result') resultAt.set(e.toolCallId, i);
  }
  const points: number[] = [];
  let openUntil = -1;
  for (const [k, i] of live.entries()) {
    const e = events[i];
    if (k > 0 && e?.type === 'user' && i > openUntil) points.push(k);
    if (e?.type === 'assistant') {
      for (const call of e.toolCalls) openUntil = Math.max(openUntil, resultAt.get(call.id) ?? -1);
    }
  }
  return points;
}

function transcript(previous: string | undefined, events: readonly SessionEvent[]): string {
  const lines: string[] = [];
  if (previous !== undefined) lines.push(`Summary so far:\n${previous}\n`);
  for (const e of events) {
    if (e.type === 'user') lines.push(`User: ${e.text}`);
    else if (e.type === 'assistant') {
      if (e.text !== '') lines.push(`Assistant: ${e.text}`);
      for (const c of e.toolCalls)
        lines.push(`Assistant called ${c.name} with ${JSON.stringify(c.arguments)}`);
    } else if (e.type === 'tool_result') {
      const text =
        e.content.length > MAX_QUOTED_RESULT ? `${e.content.slice(0, MAX_QUOTED_RESULT)}...` : e.content;
      lines.push(`${e.toolName} ${e.isError ? 'failed' : 'returned'}: ${text}`);
    }
  }
  return lines.join('\n');
}

/**
 * Keeps a session's prompt within a token budget. Before each model call the prompt is
 * estimated: the provider's count for the session's last model call plus what was added since
 * (characters / 4), or characters / 4 for all of it when no count is known. Above the budget,
 * the oldest turns are compacted, whole turns only (so no tool call is separated from its
 * result, and the kept history starts with a user message); the current turn is always kept:
 * summarised by the summarizer model (with the previous summary, so summaries roll forward), or,
 * without a summarizer or when it fails, dropped with a marker. A `compaction` event records
 * what was covered, so later calls (and restarts) build the same shorter prompt.
 */
export class ContextCompactor {
  private readonly options: CompactionOptions;
  private readonly logger: CoreLogger;

  constructor(options: CompactionOptions, logger: CoreLogger) {
    this.options = options;
    this.logger = logger;
  }

  /** The prompt's estimated size in tokens. */
  estimate(events: readonly SessionEvent[], system: string, tools: readonly ToolDefinition[]): number {
    const live = liveEventIndexes(events);
    let counted = -1;
    let tokens = 0;
    for (let k = live.length - 1; k >= 0; k--) {
      const e = events[live[k] ?? -1];
      if (e?.type === 'assistant' && e.inputTokens !== undefined) {
        counted = k;
        tokens = e.inputTokens;
        break;
      }
    }
    let chars = 0;
    if (counted < 0) {
      chars += system.length + (compactionPreamble(events)?.length ?? 0);
      chars += tools.length > 0 ? JSON.stringify(tools).length : 0;
    }
    for (let k = Math.max(counted, 0); k < live.length; k++) {
      const e = events[live[k] ?? -1];
      if (e) chars += eventChars(e);
    }
    return tokens + Math.ceil(chars / CHARS_PER_TOKEN);
  }

  /**
   * Compacts when the prompt is over budget. Returns the event recorded (to append to the
   * session), or `undefined` when nothing needed (or could) be compacted.
   */
  async compact(
    events: readonly SessionEvent[],
    taskId: string,
    system: string,
    tools: readonly ToolDefinition[],
    signal: AbortSignal,
    apiKey?: string,
  ): Promise<CompactionEvent | undefined> {
    const { tokenBudget } = this.options;
    if (this.estimate(events, system, tools) < tokenBudget) return undefined;
    const live = liveEventIndexes(events);
    const points = cutPoints(events, live);
    const keepEvents = this.options.keepEvents ?? 0;
    const fixed = tokensOf(system) + (tools.length > 0 ? tokensOf(JSON.stringify(tools)) : 0);
    // Characters from each live position to the end.
    const suffix = new Array<number>(live.length + 1).fill(0);
    for (let k = live.length - 1; k >= 0; k--) {
      suffix[k] = (suffix[k + 1] ?? 0) + eventChars(events[live[k] ?? -1] as SessionEvent);
    }
    // The earliest cut whose kept part fits in KEEP_SHARE of the budget; else the latest cut.
    let cut: number | undefined;
    for (const k of points) {
      if (live.length - k < keepEvents) break;
      cut = k;
      if (fixed + Math.ceil((suffix[k] ?? 0) / CHARS_PER_TOKEN) <= tokenBudget * KEEP_SHARE) break;
    }
    if (cut === undefined) return undefined;
    const compacted = live.slice(0, cut).map((i) => events[i] as SessionEvent);
    const last = compacted.at(-1);
    if (!last) return undefined;
    const summary = await this.summarize(events, compacted, signal, apiKey);
    this.logger.info(
      { taskId, events: compacted.length, summarized: summary !== undefined },
      'compacted the conversation',
    );
    return newEvent<CompactionEvent>({
      type: 'compaction',
      taskId,
      coveredUntil: last.id,
      ...(summary !== undefined ? { summary } : {}),
    });
  }

  private async summarize(
    events: readonly SessionEvent[],
    compacted: readonly SessionEvent[],
    signal: AbortSignal,
    apiKey: string | undefined,
  ): Promise<string | undefined> {
    const { summarizer } = this.options;
    if (!summarizer) return undefined;
    const c = lastCompaction(events);
    const previous = c >= 0 ? (events[c] as CompactionEvent).summary : undefined;
    const text = transcript(previous, compacted);
    const prompt = this.options.summaryPrompt ?? DEFAULT_SUMMARY_PROMPT;
    const inline = prompt.includes('{conversation_history}');
    try {
      const result = await summarizer.complete(
        {
          system: inline ? prompt.replaceAll('{conversation_history}', text) : prompt,
          messages: [{ role: 'user', content: inline ? 'Write the summary.' : text }],
          tools: [],
        },
        { signal, ...(apiKey !== undefined ? { apiKey } : {}) },
      );
      const summary = result.text.trim();
      return summary === '' ? undefined : summary;
    } catch (err) {
      if (signal.aborted) throw err;
      this.logger.warn({ err }, 'summarizing the conversation failed; older turns are dropped instead');
      return undefined;
    }
  }
}
