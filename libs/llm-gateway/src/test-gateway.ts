// Test helper (excluded from the build): a data plane with the LLM handler, from config text.
import { loadConfig } from '@agentplane/gateway-config';
import { DataPlane, GatewayMetrics, type GlobalRateLimiter } from '@agentplane/gateway-engine';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { loadModelCatalog } from './cost/model-catalog.js';
import {
  createLlmHandlerFactory,
  type LlmHandlerFactory,
  type LlmHandlerFactoryOptions,
} from './llm-handler-factory.js';

export interface TestGateway {
  readonly url: string;
  readonly registry: Registry;
  readonly factory: LlmHandlerFactory;
  /** Loads and applies another config (as a reload does). */
  reload(yaml: string): Promise<void>;
  close(): Promise<void>;
}

export async function startTestGateway(
  yaml: string,
  opts: {
    env?: Record<string, string>;
    handler?: Partial<LlmHandlerFactoryOptions>;
    globalRateLimiter?: GlobalRateLimiter;
    /** Called for every handler the factory builds. */
    onHandler?: () => void;
  } = {},
): Promise<TestGateway> {
  const env = opts.env ?? {};
  const { model } = loadConfig(yaml, { env });
  const registry = new Registry();
  const logger = pino({ level: 'silent' });
  const factory = createLlmHandlerFactory({
    logger,
    env,
    registry,
    evictionMs: 60_000,
    modelCatalog: loadModelCatalog(model.settings.modelCatalog),
    ...opts.handler,
  });
  const counting = Object.assign(
    (b: Parameters<LlmHandlerFactory>[0]) => {
      const h = factory(b);
      opts.onHandler?.();
      return h;
    },
    {
      checkAiPolicy: (p: Parameters<LlmHandlerFactory['checkAiPolicy']>[0], path: string) =>
        factory.checkAiPolicy(p, path),
      settled: () => factory.settled(),
      close: () => factory.close(),
      setModelCatalog: (c: Parameters<LlmHandlerFactory['setModelCatalog']>[0]) => factory.setModelCatalog(c),
    },
  );
  const dp = new DataPlane({
    logger,
    metrics: new GatewayMetrics({ registry, version: 'test' }),
    listenHost: '127.0.0.1',
    aiHandlerFactory: counting,
    ...(opts.globalRateLimiter ? { globalRateLimiter: opts.globalRateLimiter } : {}),
  });
  await dp.apply(model);
  const bind = model.binds[0];
  const port = bind ? dp.boundPort(bind.port) : undefined;
  if (port === undefined) throw new Error('gateway did not bind');
  return {
    url: `http://127.0.0.1:${port}`,
    registry,
    factory,
    reload: async (text) => {
      const next = loadConfig(text, { env }).model;
      const catalog = loadModelCatalog(next.settings.modelCatalog);
      await dp.apply(next);
      factory.setModelCatalog(catalog);
    },
    close: async () => {
      await dp.close(0);
      await factory.close();
    },
  };
}
