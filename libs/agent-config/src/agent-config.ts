import * as z from 'zod/mini';
import { modelConfigSchema } from './model-config.js';
import { nonEmptyString, nullishArray, nullishString, nullishStringMap } from './nullish-array.js';

const positiveNumber = () => z.optional(z.number().check(z.positive()));

/** Connection parameters of one MCP server (`http_tools[].params`, `sse_tools[].params`). */
export const mcpServerParamsSchema = z.object({
  url: z.url(),
  headers: nullishStringMap(),
  /** Connect / request timeout in seconds. */
  timeout: positiveNumber(),
  /** How long to wait for an event on an SSE stream, in seconds. */
  sse_read_timeout: positiveNumber(),
  terminate_on_close: z.optional(z.boolean()),
  tls_ca_cert_path: z.optional(z.string()),
  tls_disable_system_cas: z.optional(z.boolean()),
  tls_insecure_skip_verify: z.optional(z.boolean()),
});

/** One MCP tool server the agent uses. */
export const mcpToolsetSchema = z
  .object({
    params: mcpServerParamsSchema,
    /** Tool names to expose; empty means every tool the server lists. */
    tools: nullishArray(nonEmptyString()),
    /** Headers of the incoming A2A request forwarded to this server (case-insensitive). */
    allowed_headers: nullishArray(nonEmptyString()),
    /** Tools that pause for human approval before they run. */
    require_approval: nullishArray(nonEmptyString()),
  })
  .check(
    z.superRefine((set, ctx) => {
      if (set.tools.length === 0) return;
      set.require_approval.forEach((name, i) => {
        if (!set.tools.includes(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['require_approval', i],
            message: `"${name}" is not one of tools[]`,
            input: name,
          });
        }
      });
    }),
  );

/** Another A2A agent used as a tool. */
export const remoteAgentSchema = z.object({
  /** Tool name the LLM sees (kagent writes `<namespace>__NS__<name>`). */
  name: nonEmptyString(),
  /** Base URL of the agent's A2A endpoint. */
  url: z.url(),
  headers: nullishStringMap(),
  description: nullishString(),
});

const optionalCount = (min: number) => z.optional(z.nullable(z.int().check(z.gte(min))));

/**
 * `context_config.compaction` as the controller writes it from the Agent's
 * `spec.declarative.context.compaction`.
 */
export const compactionConfigSchema = z.object({
  /** New user turns between two compactions (kagent's `compactionInterval`, default 5). */
  compaction_interval: optionalCount(1),
  /** Turns of the previous summary's range repeated in the next one (`overlapSize`, default 2). */
  overlap_size: optionalCount(0),
  /** Compact once the prompt reaches this many tokens (`tokenThreshold`). */
  token_threshold: optionalCount(1),
  /** The most recent events always kept as they are (`eventRetentionSize`). */
  event_retention_size: optionalCount(0),
  /** The model that writes summaries; absent means the agent's own model. */
  summarizer_model: z.optional(z.nullable(modelConfigSchema)),
  /** Instructions for the summarizer. */
  prompt_template: z.optional(z.nullable(z.string())),
});

export const agentConfigSchema = z.object({
  model: modelConfigSchema,
  description: nullishString(),
  /** The system message. */
  instruction: nullishString(),
  http_tools: nullishArray(mcpToolsetSchema),
  sse_tools: nullishArray(mcpToolsetSchema),
  remote_agents: nullishArray(remoteAgentSchema),
  execute_code: z.nullish(z.boolean()),
  /** Stream tokens to A2A clients as they arrive. */
  stream: z.pipe(
    z.nullish(z.boolean()),
    z.transform((v) => v ?? false),
  ),
  memory: z.nullish(z.looseObject({})),
  context_config: z.nullish(z.looseObject({ compaction: z.optional(z.nullable(compactionConfigSchema)) })),
});

/** kagent's `config.json` as the runtime reads it. */
export type AgentConfig = z.output<typeof agentConfigSchema>;
export type McpToolsetConfig = z.output<typeof mcpToolsetSchema>;
export type McpServerParams = z.output<typeof mcpServerParamsSchema>;
export type RemoteAgentConfig = z.output<typeof remoteAgentSchema>;
export type CompactionConfig = z.output<typeof compactionConfigSchema>;
