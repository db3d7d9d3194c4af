import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { createLogger, type Logger } from '@agentplane/telemetry';
import { WorkloadError } from './errors.js';
import { findFreePort } from '@agentplane/net';
import { canonicalJson } from './stable-hash.js';
import type { WorkloadDriver, WorkloadSpec, WorkloadStatus } from './workload-driver.js';

export interface ProcessWorkloadDriverOptions {
  /** Environment every child starts from (pass the app's env; the lib reads none). Default empty. */
  baseEnv?: Readonly<Record<string, string | undefined>>;
  /** Host the workloads bind to and are probed on. Default 127.0.0.1. */
  host?: string;
  /** First restart delay after an exit; doubled per quick exit. Default 1 s. */
  initialBackoffMs?: number;
  /** Restart delay cap. Default 60 s. */
  maxBackoffMs?: number;
  /** A process that ran this long resets the backoff. Default 10 s. */
  stableAfterMs?: number;
  /** Readiness probe interval. Default 200 ms. */
  readinessIntervalMs?: number;
  /** SIGTERM, then SIGKILL after this long. Default 5 s. */
  stopGraceMs?: number;
  logger?: Logger;
}

interface Workload {
  spec: WorkloadSpec;
  specText: string;
  status: WorkloadStatus;
  child: ChildProcess | undefined;
  exited: Promise<void> | undefined;
  startedAt: number;
  quickExits: number;
  restartTimer: NodeJS.Timeout | undefined;
  readinessTimer: NodeJS.Timeout | undefined;
  /** Bumped per start; late events of an older process are ignored. */
  generation: number;
  deleted: boolean;
}

/**
 * Runs each workload as a child process on a loopback port: restarted with exponential backoff
 * when it exits, restarted when its spec changes, stopped (SIGTERM, then SIGKILL) when deleted.
 * Output lines go to the logger with the workload's name.
 */
export class ProcessWorkloadDriver implements WorkloadDriver {
  readonly #options: ProcessWorkloadDriverOptions;
  readonly #logger: Logger;
  readonly #workloads = new Map<string, Workload>();
  readonly #listeners = new Set<(status: WorkloadStatus) => void>();
  readonly #host: string;

  constructor(options: ProcessWorkloadDriverOptions = {}) {
    this.#options = options;
    this.#host = options.host ?? '127.0.0.1';
    this.#logger = options.logger ?? createLogger({ name: 'workloads', level: 'silent' });
  }

  async apply(spec: WorkloadSpec): Promise<WorkloadStatus> {
    if (!spec.name || !spec.command) throw new WorkloadError('a workload needs a name and a command');
    const key = `${spec.namespace}/${spec.name}`;
    const specText = canonicalJson(spec);
    const existing = this.#workloads.get(key);
    if (existing && existing.specText === specText) return { ...existing.status };
    const port = spec.port || existing?.status.port || (await findFreePort(this.#host));
    if (existing) {
      existing.spec = spec;
      existing.specText = specText;
      existing.status.port = port;
      existing.status.url = `http://${this.#host}:${port}`;
      existing.quickExits = 0;
      await this.#stopProcess(existing);
      if (existing.deleted) return { ...existing.status };
      this.#start(existing);
      return { ...existing.status };
    }
    const workload: Workload = {
      spec,
      specText,
      status: {
        namespace: spec.namespace,
        name: spec.name,
        phase: 'Starting',
        ready: false,
        port,
        url: `http://${this.#host}:${port}`,
        restarts: 0,
      },
      child: undefined,
      exited: undefined,
      startedAt: 0,
      quickExits: 0,
      restartTimer: undefined,
      readinessTimer: undefined,
      generation: 0,
      deleted: false,
    };
    this.#workloads.set(key, workload);
    this.#start(workload);
    return { ...workload.status };
  }

  async delete(namespace: string, name: string): Promise<boolean> {
    const key = `${namespace}/${name}`;
    const workload = this.#workloads.get(key);
    if (!workload) return false;
    workload.deleted = true;
    this.#workloads.delete(key);
    await this.#stopProcess(workload);
    workload.status = { ...workload.status, phase: 'Stopped', ready: false };
    delete workload.status.pid;
    this.#notify(workload);
    return true;
  }

  status(namespace: string, name: string): WorkloadStatus | undefined {
    const workload = this.#workloads.get(`${namespace}/${name}`);
    return workload ? { ...workload.status } : undefined;
  }

  list(): WorkloadStatus[] {
    return [...this.#workloads.values()].map((w) => ({ ...w.status }));
  }

  onChange(listener: (status: WorkloadStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#workloads.values()].map((w) => this.delete(w.spec.namespace, w.spec.name)));
  }

  #start(workload: Workload): void {
    const { spec } = workload;
    workload.generation += 1;
    const generation = workload.generation;
    const logger = this.#logger.child({ workload: `${spec.namespace}/${spec.name}` });
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.#options.baseEnv ?? {})) if (v !== undefined) env[k] = v;
    Object.assign(env, spec.env, { [spec.portEnv ?? 'PORT']: String(workload.status.port) });
    let child: ChildProcess;
    try {
      child = spawn(spec.command, [...(spec.args ?? [])], {
        env,
        ...(spec.cwd ? { cwd: spec.cwd } : {}),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      workload.status = { ...workload.status, lastError: (err as Error).message };
      this.#onExit(workload, generation, null, null, logger);
      return;
    }
    workload.child = child;
    workload.startedAt = Date.now();
    // An error of an earlier start no longer describes this process.
    const { lastError: _earlier, ...current } = workload.status;
    workload.status = { ...current, phase: 'Running', ready: false };
    if (child.pid !== undefined) workload.status.pid = child.pid;
    workload.exited = new Promise((resolve) => {
      child.once('error', (err) => {
        workload.status = { ...workload.status, lastError: err.message };
        logger.error({ err }, 'workload process failed to start');
      });
      child.once('close', (code, signal) => {
        this.#onExit(workload, generation, code, signal, logger);
        resolve();
      });
    });
    if (child.stdout)
      createInterface({ input: child.stdout }).on('line', (line) => logger.info({ stream: 'stdout' }, line));
    if (child.stderr)
      createInterface({ input: child.stderr }).on('line', (line) => logger.warn({ stream: 'stderr' }, line));
    logger.info({ pid: child.pid, port: workload.status.port }, 'workload started');
    this.#notify(workload);
    this.#probe(workload, generation);
  }

  #onExit(
    workload: Workload,
    generation: number,
    code: number | null,
    signal: NodeJS.Signals | null,
    logger: Logger,
  ): void {
    if (workload.generation !== generation) return;
    if (workload.readinessTimer) clearTimeout(workload.readinessTimer);
    workload.child = undefined;
    const status: WorkloadStatus = {
      ...workload.status,
      ready: false,
      lastExitCode: code,
      lastExitSignal: signal,
    };
    delete status.pid;
    if (workload.deleted) {
      workload.status = { ...status, phase: 'Stopped' };
      return;
    }
    const ranMs = Date.now() - workload.startedAt;
    workload.quickExits = ranMs >= (this.#options.stableAfterMs ?? 10_000) ? 0 : workload.quickExits + 1;
    const delay = Math.min(
      (this.#options.initialBackoffMs ?? 1_000) * 2 ** Math.max(0, workload.quickExits - 1),
      this.#options.maxBackoffMs ?? 60_000,
    );
    workload.status = { ...status, phase: 'BackOff' };
    logger.warn({ code, signal, restartInMs: delay }, 'workload exited, restarting');
    this.#notify(workload);
    workload.restartTimer = setTimeout(() => {
      workload.restartTimer = undefined;
      if (workload.deleted || workload.generation !== generation) return;
      workload.status.restarts += 1;
      this.#start(workload);
    }, delay);
    workload.restartTimer.unref();
  }

  #probe(workload: Workload, generation: number): void {
    const interval = this.#options.readinessIntervalMs ?? 200;
    const attempt = (): void => {
      if (workload.generation !== generation || !workload.child || workload.deleted) return;
      void this.#check(workload).then((ok) => {
        if (workload.generation !== generation || !workload.child || workload.deleted) return;
        if (ok) {
          workload.status = { ...workload.status, ready: true };
          this.#notify(workload);
          return;
        }
        workload.readinessTimer = setTimeout(attempt, interval);
        workload.readinessTimer.unref();
      });
    };
    attempt();
  }

  #check(workload: Workload): Promise<boolean> {
    const { port } = workload.status;
    const path = workload.spec.readinessPath;
    return new Promise((resolve) => {
      if (path === undefined) {
        const socket = connect({ host: this.#host, port });
        socket.setTimeout(1_000, () => socket.destroy());
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
        socket.once('close', () => resolve(false));
        return;
      }
      const req = request({ host: this.#host, port, path, method: 'GET', timeout: 1_000 }, (res) => {
        res.resume();
        resolve((res.statusCode ?? 500) < 400);
      });
      req.once('timeout', () => req.destroy());
      req.once('error', () => resolve(false));
      req.end();
    });
  }

  async #stopProcess(workload: Workload): Promise<void> {
    if (workload.restartTimer) clearTimeout(workload.restartTimer);
    if (workload.readinessTimer) clearTimeout(workload.readinessTimer);
    workload.restartTimer = undefined;
    const child = workload.child;
    const exited = workload.exited;
    // Events of the process being stopped no longer count as crashes.
    workload.generation += 1;
    workload.child = undefined;
    if (!child || !exited || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), this.#options.stopGraceMs ?? 5_000);
    await exited;
    clearTimeout(kill);
  }

  #notify(workload: Workload): void {
    const status = { ...workload.status };
    for (const listener of this.#listeners) {
      try {
        listener(status);
      } catch (err) {
        this.#logger.error({ err }, 'workload listener threw');
      }
    }
  }
}
