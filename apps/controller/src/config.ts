// Flags and env of the reconcile mode, parsed once. Everything below main.ts gets typed values.
import { hostname } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONTROLLER_URL } from '@agentplane/agent-translate';
import { DEFAULT_AGENT_WORKERS } from '@agentplane/controller-reconcilers';
import { UsageError } from '@agentplane/telemetry/process';
import { z } from 'zod';
import { DEFAULT_RUNTIME_IMAGE, VERSION } from './version.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ControllerConfig {
  /** Kubeconfig file (`KUBECONFIG`); absent: the in-cluster service account. */
  readonly kubeconfigPath?: string;
  /** Port of /metrics, /healthz and /readyz. */
  readonly metricsPort: number;
  readonly metricsHost: string;
  /** Empty: every namespace. */
  readonly watchNamespaces: readonly string[];
  readonly leaderElect: boolean;
  /** Name of the Lease. */
  readonly leaderElectionId: string;
  /** Where the controller runs (the Lease lives there; `<name>.<it>` URLs count as in-cluster). */
  readonly controllerNamespace: string;
  /** Unique per replica: the pod name plus a random suffix. */
  readonly identity: string;
  readonly runtimeImage: string;
  /** `KAGENT_URL` given to agents. */
  readonly controllerUrl: string;
  /** PostgreSQL URL; absent: PGlite under `dataDir`. */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  readonly agentWorkers: number;
  readonly discoveryConcurrency: number;
  readonly discoveryTimeoutMs: number;
  /** How often every informer replays its cache to the reconcilers (no API requests); 0: never. */
  readonly resyncPeriodMs: number;
  readonly version: string;
  readonly commit: string;
  /** Port of the HTTP API (kagent's routes, the A2A proxy, `/mcp`). */
  readonly apiPort: number;
  readonly apiHost: string;
  /** One machine: the folder of manifests (absent: the Kubernetes API). */
  readonly localDir?: string;
  /** Local mode: the agent runtime's entry point, run with this node. */
  readonly agentRuntime: string;
  /** Local mode: the stdio transport adapter MCPServers run behind, run with this node. */
  readonly localAdapter: string;
}

// apps/controller/{src,dist}/config.* → apps/<app>/dist/main.js
const siblingApp = (app: string): string =>
  fileURLToPath(new URL(`../../${app}/dist/main.js`, import.meta.url));

/** What the `run` command's flags give (commander's camel-cased options, all optional). */
export interface RunFlags {
  metricsPort?: string;
  metricsHost?: string;
  watchNamespaces?: string;
  leaderElect?: boolean;
  leaderElectionId?: string;
  controllerNamespace?: string;
  runtimeImage?: string;
  controllerUrl?: string;
  databaseUrl?: string;
  dataDir?: string;
  logLevel?: string;
  workers?: string;
  discoveryConcurrency?: string;
  discoveryTimeout?: string;
  resyncPeriod?: string;
  apiPort?: string;
  apiHost?: string;
  local?: string;
  agentRuntime?: string;
  localAdapter?: string;
}

export { UsageError };

const envSchema = z.object({
  KUBECONFIG: z.string().min(1).optional(),
  METRICS_PORT: z.string().optional(),
  WATCH_NAMESPACES: z.string().optional(),
  LEADER_ELECT: z.enum(['true', 'false']).optional(),
  POD_NAMESPACE: z.string().min(1).optional(),
  POD_NAME: z.string().min(1).optional(),
  RUNTIME_IMAGE: z.string().min(1).optional(),
  CONTROLLER_URL: z.string().min(1).optional(),
  DATABASE_URL: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  GIT_COMMIT: z.string().min(1).optional(),
  API_PORT: z.string().optional(),
  LOCAL_DIR: z.string().min(1).optional(),
});

function integer(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${name}: "${text}" is not an integer between ${min} and ${max}`);
  }
  return n;
}

const list = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Merges flags (first) and env into the controller's config; throws UsageError naming the flag. */
export function resolveControllerConfig(
  flags: RunFlags,
  rawEnv: Readonly<Record<string, string | undefined>>,
): ControllerConfig {
  const parsed = envSchema.safeParse(rawEnv);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`env ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const env = parsed.data;
  const logLevel = flags.logLevel ?? env.LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(`--log-level: "${logLevel}" is not one of ${LOG_LEVELS.join('|')}`);
  }
  const databaseUrl = flags.databaseUrl ?? env.DATABASE_URL;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new UsageError('--database-url: must start with postgres:// or postgresql://');
  }
  const pod = env.POD_NAME ?? hostname();
  const localDirFlag = flags.local ?? env.LOCAL_DIR;
  const localDir = localDirFlag ? path.resolve(localDirFlag) : undefined;
  if (localDir && (flags.leaderElect ?? env.LEADER_ELECT === 'true')) {
    throw new UsageError('--leader-elect does not apply to --local (one machine, one controller)');
  }
  const apiPort = integer('--api-port', flags.apiPort ?? env.API_PORT ?? '8083', 0, 65535);
  const loopback = localDir ? '127.0.0.1' : '0.0.0.0';
  return {
    ...(env.KUBECONFIG ? { kubeconfigPath: env.KUBECONFIG } : {}),
    metricsPort: integer('--metrics-port', flags.metricsPort ?? env.METRICS_PORT ?? '9090', 0, 65535),
    metricsHost: flags.metricsHost ?? loopback,
    watchNamespaces: list(flags.watchNamespaces ?? env.WATCH_NAMESPACES),
    leaderElect: flags.leaderElect ?? env.LEADER_ELECT === 'true',
    leaderElectionId: flags.leaderElectionId ?? 'agentplane-controller',
    controllerNamespace: flags.controllerNamespace ?? env.POD_NAMESPACE ?? 'kagent',
    identity: `${pod}_${randomUUID()}`,
    runtimeImage: flags.runtimeImage ?? env.RUNTIME_IMAGE ?? DEFAULT_RUNTIME_IMAGE,
    controllerUrl:
      flags.controllerUrl ??
      env.CONTROLLER_URL ??
      (localDir && apiPort !== 0 ? `http://127.0.0.1:${apiPort}` : DEFAULT_CONTROLLER_URL),
    ...(databaseUrl ? { databaseUrl } : {}),
    dataDir: path.resolve(flags.dataDir ?? env.DATA_DIR ?? path.join('.agentplane', 'controller-data')),
    logLevel: logLevel as LogLevel,
    agentWorkers: integer('--workers', flags.workers ?? String(DEFAULT_AGENT_WORKERS), 1, 64),
    discoveryConcurrency: integer('--discovery-concurrency', flags.discoveryConcurrency ?? '4', 1, 64),
    discoveryTimeoutMs: integer('--discovery-timeout', flags.discoveryTimeout ?? '30', 1, 600) * 1000,
    resyncPeriodMs: integer('--resync-period', flags.resyncPeriod ?? '3600', 0, 86_400) * 1000,
    version: VERSION,
    commit: env.GIT_COMMIT ?? 'unknown',
    apiPort,
    apiHost: flags.apiHost ?? loopback,
    ...(localDir ? { localDir } : {}),
    agentRuntime: path.resolve(flags.agentRuntime ?? siblingApp('agent-runtime')),
    localAdapter: path.resolve(flags.localAdapter ?? siblingApp('mcp-adapter')),
  };
}
