import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface ManagedProcess {
  readonly child: ChildProcess;
  /** The last lines the process wrote to stdout/stderr, for error messages. */
  output(): string;
  /** True once the process has exited. */
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns a child process for a test, keeps the tail of its output, and makes sure it dies with
 * the test process even when the test forgets to stop it.
 */
export function spawnManaged(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { keepLines?: number } = {},
): ManagedProcess {
  const { keepLines = 200, ...spawnOptions } = options;
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.length === 0) continue;
      lines.push(line);
      if (lines.length > keepLines) lines.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let done = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      done = true;
      process.removeListener('exit', killOnExit);
      resolve();
    });
    child.once('error', (err) => {
      lines.push(`spawn error: ${err.message}`);
      done = true;
      resolve();
    });
  });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  return {
    child,
    output: () => lines.join('\n'),
    exited: () => done,
    async stop(graceMs = 5_000) {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}
