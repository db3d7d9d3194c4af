import type { ToolDefinition } from '@agentplane/llm-client';

/** What a tool call knows about the request that led to it. */
export interface ToolCallContext {
  /** Aborted when the task is canceled. */
  readonly signal: AbortSignal;
  /** Headers of the incoming A2A request, names in lower case. */
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly userId: string;
  readonly sessionId: string;
  readonly taskId: string;
  /** Progress of a long call (a sub-agent's stream), shown to the client as it happens. */
  readonly onProgress?: (text: string) => void;
}

/**
 * A tool call that stopped to wait for a person (a sub-agent in `input-required`). The turn
 * pauses with it; the person's answer goes to the tool's `resume`.
 */
export interface ToolInterrupt {
  /** What the tool needs to resume the call later (JSON; stored in the session log). */
  readonly state: Readonly<Record<string, unknown>>;
  /** What the person is asked, as text. */
  readonly text: string;
  /** The requests waiting for a decision (JSON values, e.g. the sub-agent's confirmation calls). */
  readonly requests: readonly unknown[];
}

/** The result handed back to the model. */
export interface ToolOutcome {
  /** The result as text; structured results as JSON text. */
  readonly content: string;
  readonly isError: boolean;
  /** Set when the call is not finished but waits for a person; `content` is then unused. */
  readonly interrupt?: ToolInterrupt;
}

/** The answer of a person to an interrupted call: the resume message's text and data parts. */
export interface ToolResumeInput {
  readonly text: string;
  readonly data: readonly unknown[];
}

/** A tool the model may call. */
export interface AgentTool {
  readonly definition: ToolDefinition;
  /** Pause for a person's approval before each call. */
  readonly requiresApproval: boolean;
  call(args: Record<string, unknown>, context: ToolCallContext): Promise<ToolOutcome>;
  /** Continues a call that returned an `interrupt`, with the person's answer. */
  resume?(
    state: Readonly<Record<string, unknown>>,
    input: ToolResumeInput,
    context: ToolCallContext,
  ): Promise<ToolOutcome>;
  /**
   * Gives up a call that returned an `interrupt`, because its task was canceled while it waited
   * (a sub-agent's task is canceled too). Failures are reported, not thrown.
   */
  cancel?(state: Readonly<Record<string, unknown>>, context: ToolCallContext): Promise<void>;
}

/** A source of tools (one MCP server, the remote agents, ...). */
export interface Toolset {
  /** Tools currently offered; may connect on first use. Failures are reported, not thrown. */
  listTools(context: { signal: AbortSignal }): Promise<AgentTool[]>;
  close(): Promise<void>;
}
