import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { JsonRpcMessage } from '../json-rpc.js';
import { Upstream, UpstreamUnavailableError, type UpstreamOptions } from './upstream.js';

export interface StdioUpstreamOptions extends UpstreamOptions {
  readonly cmd: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Environment the child inherits unless `clearEnv` (passed in: libs do not read process.env). */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly clearEnv: boolean;
  /** Restart backoff bounds. */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

/**
 * A stdio MCP server owned by one session: spawned on start, supervised (restarted with
 * exponential backoff and re-initialized when it exits), stderr forwarded to the logs.
 */
export class StdioUpstream extends Upstream {
  private child: ChildProcessWithoutNullStreams | undefined;
  private ready: Promise<void> | undefined;
  private backoffMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  restarts = 0;

  constructor(private readonly sopts: StdioUpstreamOptions) {
    super(sopts);
    this.backoffMs = sopts.minBackoffMs ?? 250;
  }

  start(): Promise<void> {
    this.ready = this.spawnAndInit();
    return this.ready;
  }

  /** The child's pid (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private async spawnAndInit(): Promise<void> {
    const env: Record<string, string> = {};
    if (!this.sopts.clearEnv)
      for (const [k, v] of Object.entries(this.sopts.baseEnv)) if (v !== undefined) env[k] = v;
    Object.assign(env, this.sopts.env);
    const child = spawn(this.sopts.cmd, [...this.sopts.args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (e) =>
        reject(
          new UpstreamUnavailableError(this.target, `cannot start ${this.sopts.cmd}: ${e.message}`, {
            cause: e,
          }),
        ),
      );
    });
    child.stdin.on('error', () => undefined);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.trim() === '') return;
      if (!this.deliverText(line)) this.log.warn({ line: line.slice(0, 200) }, 'non-JSON line on stdout');
    });
    createInterface({ input: child.stderr }).on('line', (line) => this.log.info({ stream: 'stderr' }, line));
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.failAll(`process exited (${signal ?? code})`);
      if (this.closed) return;
      this.log.warn({ code, signal, backoffMs: this.backoffMs }, 'stdio target exited; restarting');
      this.scheduleRestart();
    });
    await spawned;
    await this.handshake();
    this.backoffMs = this.sopts.minBackoffMs ?? 250;
  }

  private scheduleRestart(): void {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.sopts.maxBackoffMs ?? 10_000);
    this.ready = new Promise<void>((resolve, reject) => {
      this.restartTimer = setTimeout(() => {
        this.restarts++;
        this.spawnAndInit().then(resolve, (e: unknown) => {
          this.log.warn({ err: (e as Error).message }, 'restart failed');
          reject(e instanceof Error ? e : new Error(String(e)));
        });
      }, delay);
    });
    this.ready.catch(() => undefined);
  }

  protected async send(msg: JsonRpcMessage): Promise<void> {
    if (
      this.ready &&
      msg !== undefined &&
      !('method' in msg && msg.method === 'initialize') &&
      !('method' in msg && msg.method === 'notifications/initialized')
    ) {
      await this.ready.catch((e: unknown) => {
        throw e instanceof UpstreamUnavailableError
          ? e
          : new UpstreamUnavailableError(this.target, String(e));
      });
    }
    const child = this.child;
    if (!child || this.closed) throw new UpstreamUnavailableError(this.target, 'process not running');
    await new Promise<void>((resolve, reject) => {
      child.stdin.write(`${JSON.stringify(msg)}\n`, (e) =>
        e ? reject(new UpstreamUnavailableError(this.target, e.message)) : resolve(),
      );
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    this.child = undefined;
    this.failAll('session closed');
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.stdin.end();
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(t);
  }
}
