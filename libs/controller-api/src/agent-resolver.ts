/** A namespaced object reference. */
export interface ObjectRef {
  namespace: string;
  name: string;
}

/**
 * Where an agent's A2A server is reached. In a cluster that is its Service
 * (`http://<name>.<namespace>:8080`); in local mode, the port of its child process.
 */
export interface AgentResolver {
  /** Base URL of the agent's A2A server, or undefined when the agent is not running. */
  resolve(ref: ObjectRef): Promise<string | undefined>;
}

export interface ClusterAgentResolverOptions {
  /** Agent Service port. Default 8080. */
  port?: number;
  /** Cluster DNS suffix appended to `<name>.<namespace>`, e.g. `svc.cluster.local`. Default none. */
  domain?: string;
}

/** Resolves every agent to its in-cluster Service URL. */
export function clusterAgentResolver(options: ClusterAgentResolverOptions = {}): AgentResolver {
  const port = options.port ?? 8080;
  const suffix = options.domain ? `.${options.domain}` : '';
  return {
    resolve: (ref) => Promise.resolve(`http://${ref.name}.${ref.namespace}${suffix}:${port}`),
  };
}
