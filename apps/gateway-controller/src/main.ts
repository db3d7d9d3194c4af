#!/usr/bin/env node
// Composition root of the gateway-controller: parse flags/env, build telemetry, start, handle signals.
import { buildInfoGauge, createLogger, createMetricsRegistry } from '@agentplane/telemetry';
import { parseCommandLine, runMain, waitForShutdown } from '@agentplane/telemetry/process';
import { parseControllerConfig, USAGE } from './config.js';
import { startGatewayController } from './controller.js';

const VERSION = '0.1.0';

async function main(): Promise<number> {
  const cli = parseCommandLine(
    () =>
      parseControllerConfig(process.argv.slice(2), process.env, {
        version: VERSION,
        commit: process.env['GIT_COMMIT'] ?? 'unknown',
      }),
    { usage: USAGE },
  );
  if ('exitCode' in cli) return cli.exitCode;
  const config = cli.config;
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
      env: process.env,
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
  await waitForShutdown({ logger, close: () => r.close() });
  return 0;
}

void runMain(main);
