import { mkdir, writeFile } from 'node:fs/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Logger } from '@agentplane/telemetry';
import { localGatewayConfig } from './gateway-config.js';
import { sampleToolServers } from './sample-tools.js';

export interface LocalPlatformOptions {
  /** Folder for generated config and data (created if missing). */
  dataDir: string;
  /** Where the built apps live (the repository's apps/ folder). */
  appsDir: string;
  mcpPort: number;
  readinessPort: number;
  nodePath: string;
  logger: Logger;
  /** How long to wait for each component to become ready. */
  readyTimeoutMs?: number;
}

export interface LocalPlatform {
  urls: Record<string, string>;
  /** Resolves when a component exits on its own (with its name and code). */
  exited: Promise<{ component: string; code: number | null }>;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready after ${timeoutMs} ms (${url})`);
}

/**
 * Brings up the parts of the platform that run on one machine as child processes, waits until
 * each is ready, and stops them all together.
 */
export async function startLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const configPath = join(dataDir, 'gateway.yaml');
  await writeFile(
    configPath,
    localGatewayConfig({ mcpPort: options.mcpPort, servers: sampleToolServers(options.nodePath, dataDir) }),
  );
  const gateway = spawn(
    options.nodePath,
    [join(options.appsDir, 'gateway', 'dist', 'main.js'), '-f', configPath],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        READINESS_ADDR: `127.0.0.1:${options.readinessPort}`,
        LISTEN_HOST: '127.0.0.1',
      },
    },
  );
  const exited = new Promise<{ component: string; code: number | null }>((resolveExit) => {
    gateway.once('exit', (code) => resolveExit({ component: 'gateway', code }));
  });
  const stop = async (): Promise<void> => {
    if (gateway.exitCode !== null || gateway.signalCode !== null) return;
    gateway.kill('SIGTERM');
    const timer = setTimeout(() => gateway.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitReady(
      `http://127.0.0.1:${options.readinessPort}/healthz/ready`,
      gateway,
      options.readyTimeoutMs ?? 30_000,
    );
  } catch (err) {
    await stop();
    throw new Error(`the gateway did not start: ${(err as Error).message}`, { cause: err });
  }
  options.logger.debug({ configPath }, 'local platform ready');
  return {
    urls: {
      'MCP (gateway, multiplexing the sample tool servers)': `http://127.0.0.1:${options.mcpPort}/mcp`,
    },
    exited,
    stop,
  };
}
