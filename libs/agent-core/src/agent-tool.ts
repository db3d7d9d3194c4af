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

/** The result handed back to the model. */
export interface ToolOutcome {
  /** The result as text; structured results as JSON text. */
  readonly content: string;
  readonly isError: boolean;
}

/** A tool the model may call. */
export interface AgentTool {
  readonly definition: ToolDefinition;
  /** Pause for a person's approval before each call. */
  readonly requiresApproval: boolean;
  call(args: Record<string, unknown>, context: ToolCallContext): Promise<ToolOutcome>;
}

/** A source of tools (one MCP server, the remote agents, ...). */
export interface Toolset {
  /** Tools currently offered; may connect on first use. Failures are reported, not thrown. */
  listTools(context: { signal: AbortSignal }): Promise<AgentTool[]>;
  close(): Promise<void>;
}
