// The factory the data plane calls for each `ai` backend / `llm:` shorthand. It owns the upstream
// connection pool shared by every handler it creates.
import type { AiBackendModel, LlmBackendModel } from '@agentplane/gateway-config';
import type { Registry } from 'prom-client';
import { Agent, type Dispatcher } from 'undici';
import { LlmBackendHandler, type LlmHandlerOptions } from './llm-handler.js';
import { LlmMetrics } from './llm-metrics.js';

export interface LlmHandlerFactoryOptions extends Omit<LlmHandlerOptions, 'dispatcher' | 'metrics'> {
  /** Registry for the `agentgateway_gen_ai_*` families (omit to record none). */
  readonly registry?: Registry;
  readonly dispatcher?: Dispatcher;
}

export interface LlmHandlerFactory {
  (backend: AiBackendModel | LlmBackendModel): LlmBackendHandler;
  close(): Promise<void>;
}

export function createLlmHandlerFactory(opts: LlmHandlerFactoryOptions): LlmHandlerFactory {
  const own = opts.dispatcher ? undefined : new Agent({ keepAliveTimeout: 30_000, connections: 256 });
  const dispatcher: Dispatcher = opts.dispatcher ?? own ?? new Agent();
  const metrics = opts.registry ? new LlmMetrics(opts.registry) : undefined;
  const factory = ((backend: AiBackendModel | LlmBackendModel) =>
    new LlmBackendHandler(backend, {
      ...opts,
      dispatcher,
      ...(metrics ? { metrics } : {}),
    })) as LlmHandlerFactory;
  factory.close = async () => {
    await own?.close();
  };
  return factory;
}
