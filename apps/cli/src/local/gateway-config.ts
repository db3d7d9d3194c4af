import { stringify } from 'yaml';
import type { SampleToolServer } from './sample-tools.js';

/**
 * The local platform's gateway config, in agentgateway's file format: one MCP endpoint
 * multiplexing the sample tool servers. Pure: the caller writes it to disk.
 */
export function localGatewayConfig(options: {
  mcpPort: number;
  servers: readonly SampleToolServer[];
}): string {
  const config = {
    mcp: {
      port: options.mcpPort,
      targets: options.servers.map((server) => ({
        name: server.name,
        stdio: { cmd: server.cmd, args: server.args, ...(server.env ? { env: server.env } : {}) },
      })),
    },
  };
  return stringify(config);
}
