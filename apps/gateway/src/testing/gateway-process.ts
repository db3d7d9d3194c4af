// Helpers for this app's tests that the test kit does not cover (excluded from the build).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@agentplane/testing/free-port';
import { spawnManaged, type ManagedProcess } from '@agentplane/testing/managed-process';
import { waitFor } from '@agentplane/testing/wait';
import { request } from 'undici';

export const appDir = fileURLToPath(new URL('../..', import.meta.url));

/** Builds dist/main.js (nx caches it), for tests that run the gateway as a real process. */
export function buildGateway(): void {
  execFileSync('pnpm', ['nx', 'run', '@agentplane/gateway:build', '--output-style=static'], {
    cwd: join(appDir, '../..'),
    env: { ...process.env, NX_NO_CLOUD: 'true' },
    stdio: 'ignore',
  });
}

export interface GatewayProcess {
  readonly proc: ManagedProcess;
  readonly readinessPort: number;
  readonly statsPort: number;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Runs `node dist/main.js --config <file>` with ops ports of its own and waits until it is ready. */
export async function spawnGateway(
  configFile: string,
  env: Record<string, string | undefined> = {},
): Promise<GatewayProcess> {
  const readinessPort = await freePort();
  const statsPort = await freePort();
  const proc = spawnManaged(process.execPath, [join(appDir, 'dist/main.js'), '--config', configFile], {
    env: {
      PATH: process.env.PATH,
      ADMIN_ADDR: `127.0.0.1:${await freePort()}`,
      STATS_ADDR: `127.0.0.1:${statsPort}`,
      READINESS_ADDR: `127.0.0.1:${readinessPort}`,
      LISTEN_HOST: '127.0.0.1',
      ...env,
    },
  });
  await waitFor(
    async () => {
      if (proc.exited()) throw new Error(`gateway exited:\n${proc.output()}`);
      const r = await request(`http://127.0.0.1:${readinessPort}/healthz/ready`);
      await r.body.dump();
      return r.statusCode === 200;
    },
    {
      timeoutMs: 20_000,
      description: 'gateway ready',
      isFatal: (e) => e instanceof Error && e.message.startsWith('gateway exited'),
    },
  );
  return {
    proc,
    readinessPort,
    statsPort,
    stop: async () => {
      if (!proc.exited()) await proc.stop(10_000);
      return proc.child.exitCode;
    },
  };
}
