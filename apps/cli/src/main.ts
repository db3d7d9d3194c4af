#!/usr/bin/env node
// The agentplane command.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { createLogger } from '@agentplane/telemetry/logger';
import { startLocalPlatform } from './local/local-platform.js';

const appsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65_535)
    throw new InvalidArgumentError('must be a port number (1-65535)');
  return n;
}

const program = new Command()
  .name('agentplane')
  .description('Run AI agents, MCP tool servers and the agent gateway, on Kubernetes or on this machine.')
  .version('0.1.0');

program
  .command('local')
  .description('bring up the platform on this machine, on its embedded defaults; Ctrl-C stops it')
  .option('--data-dir <dir>', 'folder for generated config and data', '.agentplane')
  .option('--mcp-port <port>', 'port of the gateway MCP endpoint', port, 3000)
  .option('--readiness-port <port>', 'port of the gateway readiness endpoint', port, 15021)
  .option('--api-port <port>', 'port of the controller API and A2A proxy', port, 8083)
  .action(async (opts: { dataDir: string; mcpPort: number; readinessPort: number; apiPort: number }) => {
    const logger = createLogger({ name: 'agentplane', pretty: process.stdout.isTTY });
    const platform = await startLocalPlatform({
      dataDir: opts.dataDir,
      appsDir,
      mcpPort: opts.mcpPort,
      readinessPort: opts.readinessPort,
      apiPort: opts.apiPort,
      nodePath: process.execPath,
      logger,
    });
    const lines = ['', 'Agentplane is running locally:'];
    for (const [what, url] of Object.entries(platform.urls)) lines.push(`  ${what}: ${url}`);
    lines.push('', 'Agents (A2A):');
    for (const agent of platform.agents) {
      lines.push(`  ${agent.ref}: ${agent.a2aUrl}${agent.ready ? '' : '  (not ready yet)'}`);
    }
    if (platform.usesMockLlm) {
      lines.push(
        '',
        'No OPENAI_API_KEY is set: the sample agent talks to a MOCK LLM that plays a fixed demo script',
        "(it calls the MCP server's echo tool, then answers). Set OPENAI_API_KEY for a real model.",
      );
    }
    if (platform.example) lines.push('', 'Try it:', `  ${platform.example}`);
    lines.push('', 'Press Ctrl-C to stop.', '');
    process.stdout.write(lines.join('\n'));
    let stopping = false;
    const shutdown = (): void => {
      if (stopping) return;
      stopping = true;
      process.stdout.write('\nstopping...\n');
      void platform.stop().then(() => process.exit(0));
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
    const { component, code } = await platform.exited;
    if (!stopping) {
      process.stderr.write(`${component} exited unexpectedly (code ${code ?? 'signal'})\n`);
      process.exit(1);
    }
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`agentplane: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
