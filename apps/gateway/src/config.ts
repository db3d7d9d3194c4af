// Flags and env, parsed once. Everything below main.ts receives typed values from here.
import { z } from 'zod';
import { parseXdsEnv, type XdsAppConfig } from './xds-config.js';
import { UsageError } from '@agentplane/telemetry/process';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface AppConfig {
  /** The local config file; '' when the config comes over xDS. */
  readonly configPath: string;
  /** Set when there is no config file and XDS_ADDRESS is: the config comes over xDS. */
  readonly xds?: XdsAppConfig;
  /** Overrides from env (ADMIN_ADDR, ...); the config file's `config.*Addr` apply when absent. */
  readonly adminAddr?: HostPort;
  readonly statsAddr?: HostPort;
  readonly readinessAddr?: HostPort;
  readonly sessionKey?: string;
  readonly logLevel?: string;
  /** Address data-plane binds listen on. */
  readonly listenHost: string;
  /** Drain deadline on SIGTERM. */
  readonly drainMs: number;
  /** Redis for `globalRateLimit` buckets shared by replicas (overrides `config.globalRateLimit.redis`). */
  readonly redisUrl?: string;
  /** OTLP/HTTP trace collector (overrides `config.tracing.otlpEndpoint`). */
  readonly otlpEndpoint?: string;
  /** The whole environment, for `$VAR` references in the config file. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export { UsageError };

export const USAGE = `usage: gateway -f <config.yaml>
  -f, --config <file>   agentgateway-format config file (watched; valid changes apply live)
  -h, --help            this help
env: ADMIN_ADDR, STATS_ADDR, READINESS_ADDR, SESSION_KEY, LOG_LEVEL, LISTEN_HOST, DRAIN_TIMEOUT_MS,
     REDIS_URL, OTLP_ENDPOINT
without -f: XDS_ADDRESS (host:port), GATEWAY, NAMESPACE, POD_NAME, XDS_TOKEN_PATH take the config over xDS;
     MODEL_CATALOG_FILES (comma-separated) are its model price catalogs`;

/** Parses `host:port`, `:port` or `port` (host defaults to `defaultHost`). */
export function parseAddr(text: string, defaultHost: string): HostPort {
  const m = /^(?:(\[[^\]]+\]|[^:]*):)?(\d+)$/.exec(text.trim());
  const port = Number(m?.[2]);
  if (!m || !(port >= 0 && port < 65536))
    throw new UsageError(`invalid address ${JSON.stringify(text)} (expected host:port)`);
  const host = (m[1] ?? '').replace(/^\[|\]$/g, '');
  return { host: host === '' ? defaultHost : host, port };
}

const envSchema = z.object({
  ADMIN_ADDR: z.string().optional(),
  STATS_ADDR: z.string().optional(),
  READINESS_ADDR: z.string().optional(),
  SESSION_KEY: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).optional(),
  LISTEN_HOST: z.string().optional(),
  DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  OTLP_ENDPOINT: z.url().optional(),
});

export function parseAppConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): AppConfig | 'help' {
  let configPath: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '-h' || a === '--help') return 'help';
    if (a === '-f' || a === '--config' || a === '--file') {
      configPath = argv[++i];
      if (configPath === undefined) throw new UsageError(`${a} needs a file`);
    } else if (a.startsWith('--config=')) configPath = a.slice('--config='.length);
    else throw new UsageError(`unknown argument ${JSON.stringify(a)}`);
  }
  const xds = configPath ? undefined : parseXdsEnv(env);
  if (xds && !xds.ok) throw new UsageError(xds.error);
  if (configPath && env['MODEL_CATALOG_FILES']?.trim())
    throw new UsageError(
      'MODEL_CATALOG_FILES applies to config over xDS; with a config file use config.modelCatalog',
    );
  if (!configPath && !xds?.value)
    throw new UsageError('a config file (-f config.yaml) or XDS_ADDRESS is required');
  const e = envSchema.safeParse(env);
  if (!e.success)
    throw new UsageError(
      `invalid env: ${e.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const v = e.data;
  return {
    configPath: configPath ?? '',
    ...(xds?.ok && xds.value ? { xds: xds.value } : {}),
    ...(v.ADMIN_ADDR ? { adminAddr: parseAddr(v.ADMIN_ADDR, '127.0.0.1') } : {}),
    ...(v.STATS_ADDR ? { statsAddr: parseAddr(v.STATS_ADDR, '0.0.0.0') } : {}),
    ...(v.READINESS_ADDR ? { readinessAddr: parseAddr(v.READINESS_ADDR, '0.0.0.0') } : {}),
    ...(v.SESSION_KEY ? { sessionKey: v.SESSION_KEY } : {}),
    ...(v.LOG_LEVEL ? { logLevel: v.LOG_LEVEL } : {}),
    listenHost: v.LISTEN_HOST ?? '0.0.0.0',
    drainMs: v.DRAIN_TIMEOUT_MS ?? 10_000,
    ...(v.REDIS_URL ? { redisUrl: v.REDIS_URL } : {}),
    ...(v.OTLP_ENDPOINT ? { otlpEndpoint: v.OTLP_ENDPOINT } : {}),
    env,
  };
}

export const DEFAULT_ADMIN: HostPort = { host: '127.0.0.1', port: 15000 };
export const DEFAULT_STATS: HostPort = { host: '0.0.0.0', port: 15020 };
export const DEFAULT_READINESS: HostPort = { host: '0.0.0.0', port: 15021 };
