// Flags and env, parsed once. Everything below main.ts receives typed values from here.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { UsageError } from '@agentplane/telemetry/process';

export type ChildMode = 'per-session' | 'shared';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface AppConfig {
  /** Kubeconfig file (`KUBECONFIG`); absent: the in-cluster service account. */
  readonly kubeconfigPath?: string;
  /** One machine: MCPServers from this folder of YAML, run as child processes. */
  readonly localDir?: string;
  /** How local mode starts the stdio adapter: a `.js`/`.cjs`/`.mjs` file runs with this node. */
  readonly localAdapter: { readonly command: string; readonly args: readonly string[] };
  /** Port of /metrics, /healthz and /readyz. */
  readonly metricsPort: number;
  readonly metricsHost: string;
  readonly leaderElect: boolean;
  readonly leaderElectionNamespace: string;
  readonly leaderElectionId: string;
  /** Unique per replica (pod name plus a random suffix). */
  readonly identity: string;
  /** Empty: every namespace. */
  readonly watchNamespaces: readonly string[];
  readonly adapterImage?: string;
  readonly defaultImages: Readonly<Record<string, string>>;
  readonly childMode?: ChildMode;
  readonly workers: number;
  readonly logLevel: LogLevel;
  readonly version: string;
  readonly commit: string;
}

export { UsageError };

export const USAGE = `usage: kmcp-controller [flags]
Reconciles kagent.dev/v1alpha1 MCPServer resources into Deployments and Services (stdio servers
behind the transport adapter), or with --local runs them as processes on this machine.
  --local <dir>                      one machine: MCPServers (and Secrets/ConfigMaps) from a folder of YAML
  --local-adapter <file>             the stdio adapter for --local (default: apps/mcp-adapter/dist/main.js)
  --metrics-port <port>              /metrics, /healthz, /readyz (default 9091)
  --metrics-host <addr>              address of that port (default 0.0.0.0; 127.0.0.1 with --local)
  --leader-elect                     elect a leader on a Lease before reconciling
  --leader-election-namespace <ns>   namespace of the Lease (default $POD_NAMESPACE or kagent)
  --leader-election-id <name>        name of the Lease (default agentplane-kmcp-controller)
  --watch-namespaces <a,b>           only these namespaces (default all)
  --adapter-image <image>            image holding the stdio adapter (copied in by an init container)
  --default-image <cmd=image>        image for a command when deployment.image is empty (repeatable)
  --child-mode <per-session|shared>  stdio child mode when the MCPServer does not say
  --workers <n>                      concurrent reconciles (default 2)
  --log-level <level>                trace|debug|info|warn|error|fatal|silent (default info)
  -h, --help                         this help
env: KUBECONFIG, LOCAL_DIR, METRICS_PORT, LEADER_ELECT, LEADER_ELECTION_NAMESPACE, POD_NAMESPACE,
     POD_NAME, WATCH_NAMESPACES, ADAPTER_IMAGE, DEFAULT_IMAGES (cmd=image,...), CHILD_MODE, LOG_LEVEL`;

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
const CHILD_MODES = ['per-session', 'shared'] as const;

const envSchema = z.object({
  KUBECONFIG: z.string().min(1).optional(),
  LOCAL_DIR: z.string().min(1).optional(),
  METRICS_PORT: z.string().optional(),
  LEADER_ELECT: z.enum(['true', 'false']).optional(),
  LEADER_ELECTION_NAMESPACE: z.string().min(1).optional(),
  POD_NAMESPACE: z.string().min(1).optional(),
  POD_NAME: z.string().min(1).optional(),
  HOSTNAME: z.string().min(1).optional(),
  WATCH_NAMESPACES: z.string().optional(),
  ADAPTER_IMAGE: z.string().min(1).optional(),
  DEFAULT_IMAGES: z.string().optional(),
  CHILD_MODE: z.enum(CHILD_MODES).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  GIT_COMMIT: z.string().min(1).optional(),
});

export interface ParseContext {
  /** Default adapter for --local (resolved by main.ts next to the built app). */
  readonly defaultLocalAdapter: string;
  /** The running node, to start `.js` adapters with. */
  readonly nodePath: string;
  readonly version: string;
  /** A random suffix for the leader election identity. */
  readonly randomId: string;
}

export function parseAppConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  ctx: ParseContext,
): AppConfig | 'help' {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        local: { type: 'string' },
        'local-adapter': { type: 'string' },
        'metrics-port': { type: 'string' },
        'metrics-host': { type: 'string' },
        'leader-elect': { type: 'boolean' },
        'leader-election-namespace': { type: 'string' },
        'leader-election-id': { type: 'string' },
        'watch-namespaces': { type: 'string' },
        'adapter-image': { type: 'string' },
        'default-image': { type: 'string', multiple: true },
        'child-mode': { type: 'string' },
        workers: { type: 'string' },
        'log-level': { type: 'string' },
      },
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
  }
  if (values.help) return 'help';
  const e = envSchema.safeParse(pickKnown(env));
  if (!e.success)
    throw new UsageError(e.error.issues.map((i) => `env ${i.path.join('.')}: ${i.message}`).join('; '));
  const vars = e.data;

  const localDir = values.local ?? vars.LOCAL_DIR;
  const metricsPort = port(values['metrics-port'] ?? vars.METRICS_PORT ?? '9091', 'metrics port');
  const logLevel = oneOf(values['log-level'] ?? vars.LOG_LEVEL ?? 'info', LOG_LEVELS, 'log level');
  const childText = values['child-mode'] ?? vars.CHILD_MODE;
  const childMode = childText === undefined ? undefined : oneOf(childText, CHILD_MODES, 'child mode');
  const workers = Number(values.workers ?? '2');
  if (!Number.isInteger(workers) || workers < 1 || workers > 64)
    throw new UsageError(`--workers must be 1-64 (got ${JSON.stringify(values.workers)})`);
  const defaultImages: Record<string, string> = {};
  for (const pair of [...splitList(vars.DEFAULT_IMAGES ?? ''), ...(values['default-image'] ?? [])]) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1)
      throw new UsageError(`default image ${JSON.stringify(pair)} must be <command>=<image>`);
    defaultImages[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  const adapterFile = values['local-adapter'] ?? ctx.defaultLocalAdapter;
  const podName = vars.POD_NAME ?? vars.HOSTNAME ?? 'kmcp-controller';
  const leaderElect = values['leader-elect'] ?? vars.LEADER_ELECT === 'true';
  if (localDir !== undefined && leaderElect)
    throw new UsageError('--leader-elect does not apply to --local (one machine, one controller)');

  return {
    ...(localDir !== undefined ? { localDir } : {}),
    ...(vars.KUBECONFIG ? { kubeconfigPath: vars.KUBECONFIG } : {}),
    localAdapter: /\.(c|m)?js$/.test(adapterFile)
      ? { command: ctx.nodePath, args: [adapterFile] }
      : { command: adapterFile, args: [] },
    metricsPort,
    metricsHost: values['metrics-host'] ?? (localDir !== undefined ? '127.0.0.1' : '0.0.0.0'),
    leaderElect,
    leaderElectionNamespace:
      values['leader-election-namespace'] ?? vars.LEADER_ELECTION_NAMESPACE ?? vars.POD_NAMESPACE ?? 'kagent',
    leaderElectionId: values['leader-election-id'] ?? 'agentplane-kmcp-controller',
    identity: `${podName}_${ctx.randomId}`,
    watchNamespaces: splitList(values['watch-namespaces'] ?? vars.WATCH_NAMESPACES ?? ''),
    ...((values['adapter-image'] ?? vars.ADAPTER_IMAGE)
      ? { adapterImage: values['adapter-image'] ?? vars.ADAPTER_IMAGE }
      : {}),
    defaultImages,
    ...(childMode ? { childMode } : {}),
    workers,
    logLevel,
    version: ctx.version,
    commit: vars.GIT_COMMIT ?? 'unknown',
  };
}

function pickKnown(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') out[key] = v;
  }
  return out;
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function port(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535)
    throw new UsageError(`${what} must be 0-65535 (got ${JSON.stringify(text)})`);
  return n;
}

function oneOf<T extends string>(text: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(text))
    throw new UsageError(`${what} must be one of ${allowed.join(', ')} (got ${JSON.stringify(text)})`);
  return text as T;
}
