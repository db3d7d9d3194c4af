#!/usr/bin/env node
// Composition root: parse flags/env, build telemetry, start the gateway, handle signals.
import { ConfigError } from '@agentplane/gateway-config';
import { parseAppConfig, USAGE, UsageError } from './config.js';
import { startGateway } from './gateway.js';
import { createXdsConfigSource } from './xds-config-source.js';
import { createLogger, type LogLevel } from '@agentplane/telemetry/logger';
import { createMetricsRegistry } from '@agentplane/telemetry/metrics-registry';

async function main(): Promise<number> {
  let app;
  try {
    app = parseAppConfig(process.argv.slice(2), process.env);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (app === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const logger = createLogger({
    name: 'gateway',
    level: (app.logLevel ?? 'info') as LogLevel,
    secretFields: ['sessionKey', 'htpasswd', 'keyHash', 'clientSecret'],
  });
  const registry = createMetricsRegistry({ defaultMetrics: true });
  let gw;
  try {
    const source = app.xds ? createXdsConfigSource({ xds: app.xds, logger, registry }) : undefined;
    gw = await startGateway({ app, logger, registry, ...(source ? { source } : {}) });
  } catch (e) {
    if (e instanceof ConfigError)
      logger.fatal({ code: e.code, issues: e.issues }, `invalid config: ${e.message}`);
    else logger.fatal({ err: e }, 'gateway failed to start');
    return 1;
  }
  const running = gw;
  process.on('uncaughtException', (e) => logger.error({ err: e }, 'uncaught exception'));
  process.on('unhandledRejection', (e) => logger.error({ err: e }, 'unhandled rejection'));
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'draining');
      running
        .close()
        .catch((e: unknown) => logger.error({ err: e }, 'shutdown error'))
        .finally(() => resolve());
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  logger.info('stopped');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`fatal: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
