import type { McpBackendModel } from '@agentplane/gateway-config';

/** Name of the single target (it never shows: prefixMode is never). */
export const TARGET_NAME = 'stdio';

/**
 * The adapter in the gateway's MCP config model: one backend with a single stdio target, names
 * unprefixed so tools, prompts and resources read exactly as the server defines them.
 */
export function adapterBackend(cmd: string, args: readonly string[]): McpBackendModel {
  return {
    kind: 'mcp',
    key: 'mcp-adapter',
    targets: [
      {
        name: TARGET_NAME,
        transport: { kind: 'stdio', cmd, args: [...args], env: {}, clearEnv: false },
        policies: {},
      },
    ],
    statefulMode: 'stateful',
    prefixMode: 'never',
    failureMode: 'failClosed',
    dnsRebindingProtection: false,
  };
}
