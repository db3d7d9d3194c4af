#!/usr/bin/env node
// Composition root: parse flags and env once, build the logger, run the controller, handle signals.
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@agentplane/telemetry';
import { startApp } from './app.js';
import { parseAppConfig, USAGE, UsageError } from './config.js';
import { VERSION } from './version.js';

async function main(): Promise<number> {
  let config;
  try {
    config = parseAppConfig(process.argv.slice(2), process.env, {
      // apps/kmcp-controller/dist/main.js → apps/mcp-adapter/dist/main.js
      defaultLocalAdapter: join(
        dirname(fileURLToPath(import.meta.url)),
        '..',
        '..',
        'mcp-adapter',
        'dist',
        'main.js',
      ),
      nodePath: process.execPath,
      version: VERSION,
      randomId: randomBytes(4).toString('hex'),
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
  const logger = createLogger({ name: 'kmcp-controller', level: config.logLevel });
  process.on('uncaughtException', (e) => logger.error({ err: e }, 'uncaught exception'));
  process.on('unhandledRejection', (e) => logger.error({ err: e }, 'unhandled rejection'));
  let app;
  try {
    app = await startApp(config, { logger, env: process.env });
  } catch (e) {
    logger.fatal({ err: e }, 'kmcp controller failed to start');
    return 1;
  }
  const running = app;
  const code = await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (reason: string, exitCode: number): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ reason }, 'stopping');
      running
        .close()
        .catch((e: unknown) => logger.error({ err: e }, 'shutdown error'))
        .finally(() => resolve(exitCode));
    };
    process.on('SIGTERM', () => stop('SIGTERM', 0));
    process.on('SIGINT', () => stop('SIGINT', 0));
    void running.done.then((c) => stop('leadership lost', c));
  });
  logger.info('stopped');
  return code;
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
