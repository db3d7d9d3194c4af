import type { MockLlmRule, MockLlmScript, Provider } from './script-schema.js';

/** A request the mock received, for assertions. */
export interface RecordedRequest {
  /** 1 for the first request since start or the last reset. */
  readonly seq: number;
  readonly method: string;
  /** Path and query as sent, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** Header names in lower case; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /** The body parsed as JSON; the text when it is not JSON; undefined when empty. */
  readonly body: unknown;
  /** Which API format the endpoint speaks; undefined for other endpoints. */
  readonly provider: Provider | undefined;
  /** The request asked for a streamed reply. */
  readonly stream: boolean;
  readonly model: string | undefined;
  /** The last message as the rules saw it. */
  readonly lastMessage:
    { readonly role: string; readonly text: string; readonly toolCallIds: readonly string[] } | undefined;
  /** The rule that answered; undefined when none matched or the request was rejected earlier. */
  readonly rule: { readonly name: string; readonly path: string; readonly index: number } | undefined;
  /** HTTP status sent (set once the response head is written). */
  readonly status: number | undefined;
  readonly receivedAt: Date;
}

/** How often a rule has matched. */
export interface RuleUsage {
  readonly name: string;
  /** Where the rule is in the script, e.g. `rules[1]`. */
  readonly path: string;
  readonly uses: number;
  /** Its use limit; undefined when unlimited. */
  readonly times: number | undefined;
}

export interface MockLlmOptions {
  /** The rules, in matching order (shorthand for `script: { rules }`). */
  readonly rules?: readonly MockLlmRule[];
  /** A whole script, including the kagent `openai` / `anthropic` arrays. */
  readonly script?: MockLlmScript;
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** Requests must carry this key (`Authorization: Bearer` or `x-api-key`); overrides the script's. */
  readonly apiKey?: string;
  /** Reject `/v1/messages` requests without an `anthropic-version` header, as the real API does (default true). */
  readonly requireAnthropicVersion?: boolean;
  /** Largest accepted request body, in bytes (default 16 MiB); larger ones get 413. */
  readonly maxBodyBytes?: number;
  /**
   * How many requests `requests` keeps, the newest (default: all). A long-running server (the
   * CLI) keeps a bounded number, or its memory grows with every request.
   */
  readonly recordLimit?: number;
}

/** A running mock LLM server. */
export interface MockLlm {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  /** Base URL for OpenAI clients (`baseURL` of the `openai` SDK): `${url}/v1`. */
  readonly baseUrlOpenAI: string;
  /** Base URL for Anthropic clients (`baseURL` of `@anthropic-ai/sdk`): `${url}`. */
  readonly baseUrlAnthropic: string;
  /** Every request received since start or the last {@link MockLlm.reset} (the newest `recordLimit`), in arrival order (a live array). */
  readonly requests: readonly RecordedRequest[];
  /** Replaces the rules (an array of rules, or a whole script) and resets their use counts. */
  setRules(rules: readonly MockLlmRule[] | MockLlmScript): void;
  /** Forgets recorded requests and rule use counts; keeps the rules. */
  reset(): void;
  /** How often each rule has matched, in matching order. */
  ruleUsage(): RuleUsage[];
  /** Resolves once at least `count` requests were recorded; rejects after `timeoutMs` (default 5000). */
  waitForRequests(count: number, timeoutMs?: number): Promise<readonly RecordedRequest[]>;
  /** Stops the server, cutting open connections. */
  close(): Promise<void>;
}
