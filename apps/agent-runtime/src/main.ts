#!/usr/bin/env node
import { ConfigError, loadAgentFiles } from '@agentplane/agent-config';
import { ControllerSessionStore, InMemorySessionStore } from '@agentplane/agent-core/session-stores';
import { createLazyAgentRuntime, startA2aServer } from '@agentplane/agent-a2a/server';
import { LlmError } from '@agentplane/llm-client';
import { createLogger } from '@agentplane/telemetry/logger';
import { parseSettings, SettingsError } from './config.js';

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2), process.env);
  const logger = createLogger({ name: 'agent-runtime', level: settings.logLevel });
  const { config, card } = await loadAgentFiles(settings.filepath);
  const agentName = settings.agentName === '' ? card.name : settings.agentName;
  const sessions = settings.controllerUrl
    ? new ControllerSessionStore({
        baseUrl: settings.controllerUrl,
        agentRef: `${settings.namespace}/${agentName}`,
      })
    : new InMemorySessionStore();
  // The A2A side is built on the first call, so an agent nobody talks to stays small.
  const runtime = await createLazyAgentRuntime({
    config,
    card,
    sessions,
    logger: logger.child({ component: 'agent' }),
    credentials: settings.credentials,
    maxIterations: settings.maxIterations,
    llmTimeoutMs: settings.llmTimeoutMs,
    ...(settings.publicUrl ? { publicUrl: settings.publicUrl } : {}),
  });
  const server = await startA2aServer({ app: runtime.app, host: settings.host, port: settings.port });
  logger.info(
    {
      host: settings.host,
      port: server.port,
      agent: agentName,
      model: `${config.model.type}/${config.model.model}`,
      sessions: settings.controllerUrl ? 'controller' : 'embedded',
    },
    'agent runtime listening',
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    void (async () => {
      await runtime.close();
      await server.close();
      process.exit(0);
    })();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  const configProblem =
    err instanceof LlmError && (err.code === 'LLM_TLS_CONFIG' || err.code === 'LLM_UNSUPPORTED');
  if (err instanceof ConfigError || err instanceof SettingsError || configProblem) {
    process.stderr.write(`agent-runtime: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`agent-runtime: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
