// One machine: nothing resolves `<name>.<namespace>` (a Service's address in a cluster). Tool
// discovery of an MCPServer connects there, so for each MCPServer running as a local process
// this maps that host to the process's address, taken from the URL the local MCPServer
// runner writes to its status.
import type { ResourceStore } from '@agentplane/k8s';
import { MCP_SERVER } from '@agentplane/k8s/kinds';
import { localUrlOf } from '@agentplane/mcpserver-reconciler';

/** Cluster DNS forms of a Service's host that name the same `<name>.<namespace>`. */
const SERVICE_SUFFIXES = ['.svc.cluster.local', '.svc'];

/** Rewrites in-cluster URLs of local MCPServers to their processes' addresses. */
export class LocalMcpServerAddresses {
  readonly #store: ResourceStore;
  /** `<name>.<namespace>` → the local URL's origin. */
  readonly #byHost = new Map<string, URL>();
  #unsubscribe: (() => void) | undefined;

  constructor(store: ResourceStore) {
    this.#store = store;
  }

  /** Follows the MCPServers of the store (replaying those already there). */
  start(): void {
    this.#unsubscribe = this.#store.watch(MCP_SERVER, (event) => {
      const { name = '', namespace = '' } = event.object.metadata;
      const host = `${name}.${namespace}`;
      const url = event.type === 'deleted' ? undefined : localUrlOf(event.object);
      if (url === undefined || !URL.canParse(url)) this.#byHost.delete(host);
      else this.#byHost.set(host, new URL(url));
    });
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /**
   * `url` with the scheme, host and port of the local process when its host is a local
   * MCPServer's Service (`<name>.<namespace>[.svc[.cluster.local]]`); the path is kept. Any
   * other URL, or one whose server has no local URL yet, is returned as it is.
   */
  readonly rewrite = (url: string): string => {
    if (!URL.canParse(url)) return url;
    const parsed = new URL(url);
    let host = parsed.hostname;
    for (const suffix of SERVICE_SUFFIXES) if (host.endsWith(suffix)) host = host.slice(0, -suffix.length);
    const local = this.#byHost.get(host);
    if (!local) return url;
    parsed.protocol = local.protocol;
    parsed.host = local.host;
    return parsed.toString();
  };
}
