#!/usr/bin/env node
// Composition root: parse flags and env once, build the logger, run the controller, handle signals.
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@agentplane/telemetry';
import { logUncaughtErrors, parseCommandLine, runMain, waitForShutdown } from '@agentplane/telemetry/process';
import { startApp } from './app.js';
import { parseAppConfig, USAGE } from './config.js';
import { VERSION } from './version.js';

async function main(): Promise<number> {
  const cli = parseCommandLine(
    () =>
      parseAppConfig(process.argv.slice(2), process.env, {
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
      }),
    { usage: USAGE },
  );
  if ('exitCode' in cli) return cli.exitCode;
  const config = cli.config;
  const logger = createLogger({ name: 'kmcp-controller', level: config.logLevel });
  logUncaughtErrors(logger);
  let app;
  try {
    app = await startApp(config, { logger, env: process.env });
  } catch (e) {
    logger.fatal({ err: e }, 'kmcp controller failed to start');
    return 1;
  }
  const running = app;
  const code = await waitForShutdown({
    logger,
    close: () => running.close(),
    done: { exitCode: running.done, reason: 'leadership lost' },
  });
  logger.info('stopped');
  return code;
}

void runMain(main);
