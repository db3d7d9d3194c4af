// The factory the data plane calls for each `ai` backend / `llm:` shorthand. It owns the upstream
// connection pool shared by every handler it creates.
import type { AiBackendModel, LlmBackendModel } from '@agentplane/gateway-config';
import type { Registry } from 'prom-client';
import { Agent, type Dispatcher } from 'undici';
import { compileAiTransformations, type AiPolicy } from './compile-backend.js';
import { ModelCatalog } from './cost/model-catalog.js';
import { compilePromptGuard } from './guardrails/prompt-guard.js';
import { LlmBackendHandler, type LlmHandlerOptions } from './llm-handler.js';
import { LlmMetrics } from './llm-metrics.js';

export interface LlmHandlerFactoryOptions extends Omit<
  LlmHandlerOptions,
  'dispatcher' | 'metrics' | 'modelCatalog'
> {
  /** Registry for the `agentgateway_gen_ai_*` families (omit to record none). */
  readonly registry?: Registry;
  readonly dispatcher?: Dispatcher;
  /** Model prices at start (`loadModelCatalog(settings.modelCatalog)`); `setModelCatalog` swaps them. */
  readonly modelCatalog?: ModelCatalog;
}

export interface LlmHandlerFactory {
  (backend: AiBackendModel | LlmBackendModel): LlmBackendHandler;
  /**
   * Compiles a listener's, route's or route backend's `ai` policy when a config is applied (the
   * data plane calls it): throws naming the key path under `path` (`policies.ai`).
   */
  checkAiPolicy(policy: AiPolicy, path: string): void;
  /** Prices requests from now on with this catalog (every handler, new and existing). */
  setModelCatalog(catalog: ModelCatalog): void;
  /** Resolves once the writes still running after responses (token-limit settlements) are done. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export function createLlmHandlerFactory(opts: LlmHandlerFactoryOptions): LlmHandlerFactory {
  const own = opts.dispatcher ? undefined : new Agent({ keepAliveTimeout: 30_000, connections: 256 });
  const dispatcher: Dispatcher = opts.dispatcher ?? own ?? new Agent();
  const metrics = opts.registry ? new LlmMetrics(opts.registry) : undefined;
  let catalog = opts.modelCatalog ?? ModelCatalog.EMPTY;
  const modelCatalog = () => catalog;
  const pending = new Set<Promise<unknown>>();
  const background = (work: Promise<unknown>) => {
    const p = work.catch((e: unknown) =>
      opts.logger.warn({ err: (e as Error).message }, 'token limit settlement failed'),
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const { modelCatalog: _initial, registry: _registry, ...handlerOpts } = opts;
  const factory = ((backend: AiBackendModel | LlmBackendModel) =>
    new LlmBackendHandler(backend, {
      ...handlerOpts,
      dispatcher,
      background,
      modelCatalog,
      ...(metrics ? { metrics } : {}),
    })) as LlmHandlerFactory;
  factory.checkAiPolicy = (policy, path) => {
    if (policy.promptGuard) compilePromptGuard(policy.promptGuard, `${path}.promptGuard`);
    compileAiTransformations(policy, path);
  };
  factory.setModelCatalog = (c) => {
    catalog = c;
  };
  factory.settled = async () => {
    while (pending.size > 0) await Promise.all(pending);
  };
  factory.close = async () => {
    await factory.settled();
    await own?.close();
  };
  return factory;
}
