import * as z from 'zod';
import { modelConfigSchema } from './model-config.js';
import { nullishArray, nullishStringMap } from './nullish-array.js';

/** Connection parameters of one MCP server (`http_tools[].params`, `sse_tools[].params`). */
export const mcpServerParamsSchema = z.object({
  url: z.url(),
  headers: nullishStringMap(),
  /** Connect / request timeout in seconds. */
  timeout: z.number().positive().optional(),
  /** How long to wait for an event on an SSE stream, in seconds. */
  sse_read_timeout: z.number().positive().optional(),
  terminate_on_close: z.boolean().optional(),
  tls_ca_cert_path: z.string().optional(),
  tls_disable_system_cas: z.boolean().optional(),
  tls_insecure_skip_verify: z.boolean().optional(),
});

/** One MCP tool server the agent uses. */
export const mcpToolsetSchema = z
  .object({
    params: mcpServerParamsSchema,
    /** Tool names to expose; empty means every tool the server lists. */
    tools: nullishArray(z.string().min(1)),
    /** Headers of the incoming A2A request forwarded to this server (case-insensitive). */
    allowed_headers: nullishArray(z.string().min(1)),
    /** Tools that pause for human approval before they run. */
    require_approval: nullishArray(z.string().min(1)),
  })
  .superRefine((set, ctx) => {
    if (set.tools.length === 0) return;
    set.require_approval.forEach((name, i) => {
      if (!set.tools.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['require_approval', i],
          message: `"${name}" is not one of tools[]`,
        });
      }
    });
  });

/** Another A2A agent used as a tool. */
export const remoteAgentSchema = z.object({
  /** Tool name the LLM sees (kagent writes `<namespace>__NS__<name>`). */
  name: z.string().min(1),
  /** Base URL of the agent's A2A endpoint. */
  url: z.url(),
  headers: nullishStringMap(),
  description: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
});

export const agentConfigSchema = z.object({
  model: modelConfigSchema,
  description: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  /** The system message. */
  instruction: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  http_tools: nullishArray(mcpToolsetSchema),
  sse_tools: nullishArray(mcpToolsetSchema),
  remote_agents: nullishArray(remoteAgentSchema),
  execute_code: z.boolean().nullish(),
  /** Stream tokens to A2A clients as they arrive. */
  stream: z
    .boolean()
    .nullish()
    .transform((v) => v ?? false),
  memory: z.looseObject({}).nullish(),
  context_config: z.looseObject({}).nullish(),
});

/** kagent's `config.json` as the runtime reads it. */
export type AgentConfig = z.output<typeof agentConfigSchema>;
export type McpToolsetConfig = z.output<typeof mcpToolsetSchema>;
export type McpServerParams = z.output<typeof mcpServerParamsSchema>;
export type RemoteAgentConfig = z.output<typeof remoteAgentSchema>;
