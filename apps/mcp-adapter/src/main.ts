#!/usr/bin/env node
// Composition root: parse flags/config/env, build the logger, serve the stdio server, handle signals.
import { createLogger } from '@agentplane/telemetry/logger';
import { startAdapter } from './adapter-server.js';
import { parseAppConfig, USAGE, UsageError } from './config.js';

async function main(): Promise<number> {
  let config;
  try {
    config = parseAppConfig(process.argv.slice(2), process.env);
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
  const logger = createLogger({ name: 'mcp-adapter', level: config.logLevel, secretFields: ['sessionKey'] });
  let adapter;
  try {
    adapter = await startAdapter({ config, logger });
  } catch (e) {
    logger.fatal({ err: e }, 'adapter failed to start');
    return 1;
  }
  const running = adapter;
  process.on('uncaughtException', (e) => logger.error({ err: e }, 'uncaught exception'));
  process.on('unhandledRejection', (e) => logger.error({ err: e }, 'unhandled rejection'));
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
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
