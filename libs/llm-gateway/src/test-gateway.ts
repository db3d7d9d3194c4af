// Test helper (excluded from the build): a data plane with the LLM handler, from config text.
import { loadConfig } from '@agentplane/gateway-config';
import { DataPlane, GatewayMetrics } from '@agentplane/gateway-engine';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createLlmHandlerFactory, type LlmHandlerFactoryOptions } from './llm-handler-factory.js';

export interface TestGateway {
  readonly url: string;
  readonly registry: Registry;
  close(): Promise<void>;
}

export async function startTestGateway(
  yaml: string,
  opts: { env?: Record<string, string>; handler?: Partial<LlmHandlerFactoryOptions> } = {},
): Promise<TestGateway> {
  const env = opts.env ?? {};
  const { model } = loadConfig(yaml, { env });
  const registry = new Registry();
  const logger = pino({ level: 'silent' });
  const factory = createLlmHandlerFactory({ logger, env, registry, evictionMs: 60_000, ...opts.handler });
  const dp = new DataPlane({
    logger,
    metrics: new GatewayMetrics({ registry, version: 'test' }),
    listenHost: '127.0.0.1',
    aiHandlerFactory: factory,
  });
  await dp.apply(model);
  const bind = model.binds[0];
  const port = bind ? dp.boundPort(bind.port) : undefined;
  if (port === undefined) throw new Error('gateway did not bind');
  return {
    url: `http://127.0.0.1:${port}`,
    registry,
    close: async () => {
      await dp.close(0);
      await factory.close();
    },
  };
}
