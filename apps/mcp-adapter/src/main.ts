#!/usr/bin/env node
// Composition root: parse flags/config/env, build the logger, serve the stdio server, handle signals.
import { createLogger } from '@agentplane/telemetry/logger';
import { logUncaughtErrors, parseCommandLine, runMain, waitForShutdown } from '@agentplane/telemetry/process';
import { startAdapter } from './adapter-server.js';
import { parseAppConfig, USAGE } from './config.js';

async function main(): Promise<number> {
  const cli = parseCommandLine(() => parseAppConfig(process.argv.slice(2), process.env), { usage: USAGE });
  if ('exitCode' in cli) return cli.exitCode;
  const config = cli.config;
  const logger = createLogger({ name: 'mcp-adapter', level: config.logLevel, secretFields: ['sessionKey'] });
  let adapter;
  try {
    adapter = await startAdapter({ config, logger });
  } catch (e) {
    logger.fatal({ err: e }, 'adapter failed to start');
    return 1;
  }
  const running = adapter;
  logUncaughtErrors(logger);
  await waitForShutdown({ logger, close: () => running.close() });
  logger.info('stopped');
  return 0;
}

void runMain(main);
