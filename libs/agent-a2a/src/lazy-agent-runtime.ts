import type { AgentRuntime } from './create-agent-runtime.js';
import { createCardRoutes } from './card-routes.js';
import { isRpcRequest, rejectOtherRequest, rpcError, type A2aRequestListener } from './http-responses.js';
import { runtimeCard, runtimeCompaction, runtimeModel, type AgentRuntimeOptions } from './runtime-setup.js';

export interface LazyAgentRuntime {
  /**
   * The `node:http` request listener. The card and `/healthz` are served from the start; the
   * first JSON-RPC call builds the agent (A2A request handler, executor, tool loop).
   */
  readonly app: A2aRequestListener;
  /** True once a request has built the agent. */
  loaded(): boolean;
  /** Aborts turns in progress and closes tool connections (nothing to do if never built). */
  close(): Promise<void>;
}

/**
 * {@link createAgentRuntime} for a process that may sit idle: the model configuration is checked
 * now (so a bad config still fails at startup), but the code that serves A2A calls (the SDK's
 * request handler, the executor, the tool loop, the MCP and A2A clients) is loaded and wired on
 * the first call, keeping an agent that nobody talks to small.
 */
export async function createLazyAgentRuntime(options: AgentRuntimeOptions): Promise<LazyAgentRuntime> {
  const model = await runtimeModel(options);
  const compaction = await runtimeCompaction(options, model);
  const cardRoutes = createCardRoutes(runtimeCard(options));
  let runtime: Promise<AgentRuntime> | undefined;
  let closed = false;
  const load = (): Promise<AgentRuntime> => {
    runtime ??= import('./create-agent-runtime.js')
      .then(({ createAgentRuntime }) => createAgentRuntime({ ...options, model, compaction }))
      .catch((err: unknown) => {
        runtime = undefined;
        throw err;
      });
    return runtime;
  };
  const app: A2aRequestListener = (req, res) => {
    if (cardRoutes(req, res)) return;
    if (!isRpcRequest(req)) {
      rejectOtherRequest(req, res);
      return;
    }
    if (closed) {
      req.resume();
      rpcError(res, 503, null, { code: -32603, message: 'agent is shutting down' });
      return;
    }
    load().then(
      (built) => built.app(req, res),
      (err: unknown) => {
        options.logger.error({ err }, 'agent setup failed');
        req.resume();
        if (!res.headersSent) rpcError(res, 500, null, { code: -32603, message: 'internal error' });
      },
    );
  };
  return {
    app,
    loaded: () => runtime !== undefined,
    close: async () => {
      closed = true;
      if (runtime) await (await runtime.catch(() => undefined))?.close();
    },
  };
}
