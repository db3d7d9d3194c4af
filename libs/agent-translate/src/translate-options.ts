/** Settings of the controller that shape every agent's objects. */
export interface TranslateOptions {
  /** Image of the agent runtime, e.g. `ghcr.io/agentplane/agent-runtime:0.1.0`. */
  runtimeImage: string;
  /** Command that starts the runtime in that image. Default {@link DEFAULT_RUNTIME_COMMAND}. */
  runtimeCommand?: readonly string[];
  /** Controller base URL given to agents as `KAGENT_URL`. Default `http://kagent-controller.kagent:8083`. */
  controllerUrl?: string;
  /** Namespace the controller runs in; `<name>.<it>` URLs count as in-cluster. Default `kagent`. */
  controllerNamespace?: string;
  /** Pull policy unless the Agent sets one. Default `IfNotPresent`. */
  imagePullPolicy?: string;
  /** Pull secret added to every agent pod. */
  imagePullSecret?: string;
  /** ServiceAccount for agents that name none (then no ServiceAccount is created). */
  defaultServiceAccountName?: string;
  /** Route in-cluster MCP and A2A traffic through this proxy (with an `x-kagent-host` header). */
  proxyUrl?: string;
  /** `OTEL_*` variables passed to every agent pod. */
  otelEnv?: Readonly<Record<string, string>>;
  /**
   * One machine: an MCPServer is reached at its `status.url` (written by the local MCPServer
   * runner) when it has one, instead of its in-cluster Service URL. Default false.
   */
  localMcpServerUrls?: boolean;
}

/** How our runtime image starts the runtime (see apps/agent-runtime). */
export const DEFAULT_RUNTIME_COMMAND: readonly string[] = ['node', '/app/apps/agent-runtime/dist/main.js'];
export const DEFAULT_CONTROLLER_URL = 'http://kagent-controller.kagent:8083';
export const DEFAULT_CONTROLLER_NAMESPACE = 'kagent';
