// Wires config loading, the data plane, MCP multiplexing, ops endpoints and the file watcher.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError, loadConfig, redactSecrets, type LoadedConfig } from '@agentplane/gateway-config';
import {
  DataPlane,
  GatewayMetrics,
  InProcessRateLimiter,
  mcpRequestObserver,
  RedisRateLimiter,
  type GlobalRateLimiter,
} from '@agentplane/gateway-engine';
import { createLlmHandlerFactory, loadModelCatalog } from '@agentplane/llm-gateway';
import { McpMultiplexer, SessionCodec } from '@agentplane/mcp-gateway';
import type { Logger } from '@agentplane/telemetry/logger';
import type { Registry } from '@agentplane/telemetry';
import { startOpsServer } from '@agentplane/telemetry/ops-server';
import { initTracing, type Tracing } from '@agentplane/telemetry/tracing';
import {
  DEFAULT_ADMIN,
  DEFAULT_READINESS,
  DEFAULT_STATS,
  parseAddr,
  type AppConfig,
  type HostPort,
} from './config.js';
import { watchConfigFile, type ConfigWatcher } from './config-watcher.js';
import type { ConfigSource } from './config-source.js';
import { startAdminServer, startReadinessServer, type OpsServer } from './ops-servers.js';

export const VERSION = '0.1.0';

export interface RunningGateway {
  readonly dataPlane: DataPlane;
  readonly adminPort: number;
  readonly statsPort: number;
  readonly readinessPort: number;
  /** The config currently served. */
  current(): LoadedConfig;
  isReady(): boolean;
  /** Re-reads the config file now (the watcher does this on change). */
  reload(): Promise<void>;
  close(drainMs?: number): Promise<void>;
}

export interface StartGatewayOptions {
  readonly app: AppConfig;
  readonly logger: Logger;
  readonly registry: Registry;
  /** Watch the config file (default true). */
  readonly watch?: boolean;
  /** Start OTLP tracing when an endpoint is configured (default true). */
  readonly tracing?: boolean;
  /** Take the config from this source (xDS) instead of `app.configPath`. */
  readonly source?: ConfigSource;
}

export async function startGateway(opts: StartGatewayOptions): Promise<RunningGateway> {
  const { app, logger, registry } = opts;
  const log = logger.child({ component: 'gateway' });
  const source = opts.source;
  const initialText = source ? '' : await readFile(app.configPath, 'utf8');
  let current = source ? await source.initial() : loadConfig(initialText, { env: app.env });
  for (const w of current.warnings) log.warn(w);
  const settings = current.model.settings;
  if (!app.logLevel && settings.logging.level) logger.level = levelOf(settings.logging.level);

  let sessionKey = app.sessionKey ?? settings.sessionKey;
  if (!sessionKey) {
    sessionKey = randomBytes(32).toString('hex');
    log.warn(
      'no SESSION_KEY or config.session.key: MCP sessions will not survive restarts or move between replicas',
    );
  }
  const codec = new SessionCodec({ key: sessionKey });
  const metrics = new GatewayMetrics({ registry, version: VERSION });

  const otlpEndpoint = app.otlpEndpoint ?? settings.tracing?.otlpEndpoint;
  let tracing: Tracing | undefined;
  if (otlpEndpoint && opts.tracing !== false) {
    // The config's protocol (agentgateway's default is gRPC); an endpoint from the environment is OTLP/HTTP.
    const otlpProtocol = app.otlpEndpoint ? 'http' : (settings.tracing?.otlpProtocol ?? 'http');
    tracing = initTracing({
      serviceName: 'agentgateway',
      serviceVersion: VERSION,
      otlpEndpoint,
      otlpProtocol,
      otlpHeaders: { ...settings.tracing?.headers },
      sampleRatio: sampleRatio(settings.tracing?.randomSampling),
    });
    log.info({ otlpEndpoint, otlpProtocol }, 'tracing enabled');
  }

  const rl = settings.globalRateLimit;
  const redisUrl = app.redisUrl ?? rl?.redis;
  const globalRateLimiter: GlobalRateLimiter = redisUrl
    ? new RedisRateLimiter({
        url: redisUrl,
        logger,
        ...(rl?.keyPrefix ? { keyPrefix: rl.keyPrefix } : {}),
        failureMode: rl?.failureMode ?? 'failClosed',
      })
    : new InProcessRateLimiter();

  const llmHandlers = createLlmHandlerFactory({
    logger,
    env: app.env,
    registry,
    modelCatalog: loadModelCatalog(settings.modelCatalog),
  });
  const dataPlane = new DataPlane({
    logger,
    metrics,
    aiHandlerFactory: llmHandlers,
    globalRateLimiter,
    listenHost: app.listenHost,
    mcpHandlerFactory: (backend) =>
      new McpMultiplexer({
        backend,
        logger,
        sessionCodec: codec,
        processEnv: app.env,
        onRequest: mcpRequestObserver(metrics),
      }),
  });

  let ready = false;
  const addr = (fromEnv: HostPort | undefined, fromFile: string | undefined, def: HostPort) =>
    fromEnv ?? (fromFile ? parseAddr(fromFile, def.host) : def);
  const ops: OpsServer[] = [];
  let watcher: ConfigWatcher | undefined;
  try {
    const readiness = await startReadinessServer({
      addr: addr(app.readinessAddr, settings.readinessAddr, DEFAULT_READINESS),
      ready: () => ready,
    });
    ops.push(readiness);
    const statsAddr = addr(app.statsAddr, settings.statsAddr, DEFAULT_STATS);
    const stats = await startOpsServer({
      host: statsAddr.host,
      port: statsAddr.port,
      registry,
      logger: logger.child({ component: 'stats' }),
    });
    ops.push(stats);
    const admin = await startAdminServer({
      addr: addr(app.adminAddr, settings.adminAddr, DEFAULT_ADMIN),
      logger,
      configDump: () => ({ version: VERSION, config: redactSecrets(current.model) }),
    });
    ops.push(admin);

    await dataPlane.apply(current.model);
    ready = true;
    log.info({ binds: current.model.binds.map((b) => b.port) }, 'config applied; ready');

    const applyText = async (text: string) => {
      let next: LoadedConfig;
      try {
        next = loadConfig(text, { env: app.env });
      } catch (e) {
        if (e instanceof ConfigError) {
          log.error(
            { code: e.code, issues: e.issues },
            `config rejected, keeping the last good config: ${e.message}`,
          );
          return;
        }
        throw e;
      }
      await applyLoaded(next);
    };
    const applyLoaded = async (next: LoadedConfig): Promise<boolean> => {
      for (const w of next.warnings) log.warn(w);
      try {
        // Prices are read first: an unreadable catalog rejects the config like a bad backend.
        const catalog = loadModelCatalog(next.model.settings.modelCatalog);
        await dataPlane.apply(next.model);
        llmHandlers.setModelCatalog(catalog);
      } catch (e) {
        log.error({ err: (e as Error).message }, 'config could not be applied, keeping the last good config');
        return false;
      }
      current = next;
      log.info({ binds: next.model.binds.map((b) => b.port) }, 'config reloaded');
      return true;
    };
    if (source) source.start(applyLoaded);
    else if (opts.watch !== false) {
      watcher = watchConfigFile({
        path: app.configPath,
        initial: initialText,
        logger: log,
        onChange: applyText,
      });
    }

    return {
      dataPlane,
      adminPort: admin.port,
      statsPort: stats.port,
      readinessPort: readiness.port,
      current: () => current,
      isReady: () => ready,
      reload: async () => (source ? undefined : applyText(await readFile(app.configPath, 'utf8'))),
      close: async (drainMs = app.drainMs) => {
        ready = false;
        watcher?.close();
        await source?.close();
        await dataPlane.close(drainMs);
        await llmHandlers.close();
        await Promise.all(ops.map((o) => o.close()));
        await globalRateLimiter.close();
        await tracing?.shutdown();
      },
    };
  } catch (e) {
    watcher?.close();
    await source?.close();
    await dataPlane.close(0);
    await llmHandlers.close();
    await Promise.all(ops.map((o) => o.close()));
    await globalRateLimiter.close();
    await tracing?.shutdown();
    throw e;
  }
}

function levelOf(level: string): string {
  // agentgateway accepts filters like "info,rmcp=warn": take the default level.
  const first = level.split(',')[0]?.trim() ?? 'info';
  return ['trace', 'debug', 'info', 'warn', 'error'].includes(first) ? first : 'info';
}

/** agentgateway's `randomSampling`: true/false, a ratio, or a ratio as text. */
function sampleRatio(v: string | number | boolean | undefined): number {
  if (v === undefined || v === true) return 1;
  if (v === false) return 0;
  const n = Number(v);
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 1;
}
