#!/usr/bin/env node
// Composition root of the gateway-controller: parse flags/env, build telemetry, start, handle signals.
import { buildInfoGauge, createLogger, createMetricsRegistry } from '@agentplane/telemetry';
import { parseControllerConfig, USAGE, UsageError } from './config.js';
import { startGatewayController } from './controller.js';

const VERSION = '0.1.0';

async function main(): Promise<number> {
  let config;
  try {
    config = parseControllerConfig(process.argv.slice(2), process.env, {
      version: VERSION,
      commit: process.env['GIT_COMMIT'] ?? 'unknown',
    });
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (config === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const logger = createLogger({ name: 'gateway-controller', level: config.logLevel });
  const registry = createMetricsRegistry({ defaultMetrics: true });
  buildInfoGauge(registry, {
    name: 'agentgateway_build_info',
    version: config.version,
    commit: config.commit,
  });
  let running;
  try {
    running = await startGatewayController({
      config,
      logger,
      registry,
      onLostLease: () => {
        logger.error('lost the leader lease; exiting');
        process.exit(1);
      },
    });
  } catch (e) {
    logger.fatal({ err: e }, 'gateway-controller failed to start');
    return 1;
  }
  const r = running;
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
      r.close()
        .catch((e: unknown) => logger.error({ err: e }, 'shutdown error'))
        .finally(() => resolve());
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
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
