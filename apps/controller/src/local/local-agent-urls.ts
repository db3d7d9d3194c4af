// One machine: an Agent used as a tool is written into its parent's config.json at its in-cluster
// Service URL (`http://<name>.<namespace>:8080`), which nothing resolves here. Locally the parent
// reaches it through the controller's A2A proxy (`<controller>/api/a2a/<namespace>/<name>/`)
// instead: that address never changes, while the proxy finds the sub-agent's process wherever it
// runs now, so a sub-agent that starts later or restarts on another port needs no new config.

/** The A2A port of an agent's Service. */
const AGENT_PORT = '8080';

/** Cluster DNS forms of a Service's host that name the same `<name>.<namespace>`. */
const SERVICE_SUFFIXES = ['.svc.cluster.local', '.svc'];

/** `{namespace, name}` of an in-cluster agent URL, or undefined for any other URL. */
export function inClusterAgent(url: string): { namespace: string; name: string } | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' || parsed.port !== AGENT_PORT) return undefined;
  if (parsed.pathname !== '/' || parsed.search !== '') return undefined;
  let host = parsed.hostname;
  for (const suffix of SERVICE_SUFFIXES) if (host.endsWith(suffix)) host = host.slice(0, -suffix.length);
  const [name, namespace, ...rest] = host.split('.');
  if (!name || !namespace || rest.length > 0) return undefined;
  return { namespace, name };
}

/**
 * The agent `config.json` text with each `remote_agents[].url` that is an in-cluster agent URL
 * pointed at the controller's A2A proxy for that agent. Other URLs, and a text that is not a JSON
 * object, are left as they are.
 */
export function routeSubAgentsThroughProxy(configJson: string, controllerUrl: string): string {
  let config: unknown;
  try {
    config = JSON.parse(configJson);
  } catch {
    return configJson;
  }
  if (typeof config !== 'object' || config === null) return configJson;
  const agents = (config as { remote_agents?: unknown }).remote_agents;
  if (!Array.isArray(agents)) return configJson;
  const base = controllerUrl.replace(/\/+$/, '');
  let changed = false;
  for (const entry of agents as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const agent = entry as { url?: unknown };
    const target = typeof agent.url === 'string' ? inClusterAgent(agent.url) : undefined;
    if (!target) continue;
    agent.url = `${base}/api/a2a/${encodeURIComponent(target.namespace)}/${encodeURIComponent(target.name)}/`;
    changed = true;
  }
  return changed ? JSON.stringify(config) : configJson;
}
