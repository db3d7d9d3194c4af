// The stdio transport adapter's config file: written by the translator into the MCPServer's
// ConfigMap, read by apps/mcp-adapter. One schema on both sides keeps them in step.
import { z } from 'zod';

/** How the adapter runs the stdio server: one child per MCP session, or one for all sessions. */
export const CHILD_MODES = ['per-session', 'shared'] as const;
export type ChildMode = (typeof CHILD_MODES)[number];

export const adapterConfigSchema = z.strictObject({
  /** Port the adapter serves MCP on (`/mcp` streamable HTTP, `/sse` + `/message` legacy SSE). */
  port: z.int().min(1).max(65535),
  /** The stdio server's command, looked up on the container's PATH. */
  cmd: z.string().min(1),
  args: z.array(z.string()).default([]),
  childMode: z.enum(CHILD_MODES).default('per-session'),
});

export type AdapterConfig = z.infer<typeof adapterConfigSchema>;
export type AdapterConfigInput = z.input<typeof adapterConfigSchema>;

/** File name of the config inside the ConfigMap (and so inside the mounted folder). */
export const ADAPTER_CONFIG_FILE = 'config.json';
