// Local mode: an MCPServer as a child process on a loopback port instead of a Deployment.
// Pure: the caller reads the referenced Secrets/ConfigMaps and chooses the port.
import type { MCPServer } from '@agentplane/crds/kagent';
import type { WorkloadSpec } from '@agentplane/k8s';
import {
  CHILD_MODE_ANNOTATION,
  referencedNames,
  transportOf,
  type ChildMode,
  type ReferencedObject,
  type ReferencedObjects,
} from '@agentplane/mcpserver-translate';

/** How local mode starts the stdio transport adapter (`apps/mcp-adapter`). */
export interface LocalAdapterCommand {
  /** The program, e.g. the running `node` (`process.execPath`). */
  readonly command: string;
  /** Arguments before the adapter's flags, e.g. `[".../apps/mcp-adapter/dist/main.js"]`. */
  readonly args?: readonly string[];
}

export interface LocalWorkloadOptions {
  readonly adapter: LocalAdapterCommand;
  /** Loopback address the processes listen on. Default 127.0.0.1. */
  readonly host?: string;
}

export type LocalWorkloadResult =
  | {
      readonly ok: true;
      /** What the process driver runs. */
      readonly spec: WorkloadSpec;
      /** Path of the MCP endpoint on the process's port (`/mcp`, or an http server's own path). */
      readonly path: string;
      readonly transport: 'stdio' | 'http';
      /** `https` when an http server serves TLS itself (`httpTransport.tls`). */
      readonly scheme: 'http' | 'https';
    }
  | { readonly ok: false; readonly reason: string; readonly message: string };

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * The process that runs `server` on one machine.
 *
 * - stdio: the adapter on `port` (`--host`, `--port`, `--cmd`, then `-- args...`; child mode from the
 *   MCPServer's annotation), readiness `GET /healthz`.
 * - http: `cmd args` with `PORT=<port>` in its environment; ready once the port accepts
 *   connections. `httpTransport.targetPort` does not apply: the port is chosen here.
 *
 * The environment is what the pod would get: the referenced ConfigMaps' then Secrets' keys
 * (envFrom order), then `deployment.env`, which wins. An MCPServer without `cmd` (image only)
 * cannot run as a process.
 */
export function localWorkloadSpec(
  server: MCPServer,
  refs: ReferencedObjects,
  port: number,
  options: LocalWorkloadOptions,
): LocalWorkloadResult {
  const { name = '', namespace = 'default' } = server.metadata;
  const d = server.spec.deployment;
  const cmd = d.cmd?.trim() ?? '';
  if (cmd === '')
    return {
      ok: false,
      reason: 'LocalCommandMissing',
      message:
        'local mode runs spec.deployment.cmd as a process; this MCPServer names only an image (set cmd and args)',
    };
  const transport = transportOf(server);
  const env = localEnv(server, refs);
  const host = options.host ?? '127.0.0.1';
  if (transport === 'stdio') {
    const mode = server.metadata.annotations?.[CHILD_MODE_ANNOTATION] as ChildMode | undefined;
    const args = [
      ...(options.adapter.args ?? []),
      '--host',
      host,
      '--port',
      String(port),
      '--cmd',
      cmd,
      ...(mode === 'shared' ? ['--shared'] : []),
      // After `--`, arguments that start with a dash are the command's, not the adapter's.
      '--',
      ...(d.args ?? []),
    ];
    return {
      ok: true,
      transport,
      scheme: 'http',
      path: '/mcp',
      spec: {
        namespace,
        name,
        command: options.adapter.command,
        args,
        env,
        port,
        readinessPath: '/healthz',
      },
    };
  }
  const raw = server.spec.httpTransport?.path ?? '/mcp';
  return {
    ok: true,
    transport,
    scheme: server.spec.httpTransport?.tls ? 'https' : 'http',
    path: raw.startsWith('/') ? raw : `/${raw}`,
    spec: { namespace, name, command: cmd, args: [...(d.args ?? [])], env, port, portEnv: 'PORT' },
  };
}

/** The environment a pod of `server` would get from envFrom and env (invalid names skipped). */
export function localEnv(server: MCPServer, refs: ReferencedObjects): Record<string, string> {
  const wanted = referencedNames(server);
  const env: Record<string, string> = {};
  const add = (values: Readonly<Record<string, string>>): void => {
    for (const [k, v] of Object.entries(values)) if (ENV_NAME.test(k)) env[k] = v;
  };
  for (const n of wanted.configMaps) {
    const cm = find(refs.configMaps, n);
    if (cm?.data) add(cm.data);
  }
  const d = server.spec.deployment;
  for (const ref of d.secretRefs ?? []) {
    const secret = ref.name ? find(refs.secrets, ref.name) : undefined;
    if (!secret) continue;
    add(
      Object.fromEntries(
        Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
      ),
    );
    if (secret.stringData) add(secret.stringData);
  }
  add(d.env ?? {});
  return env;
}

/** `http://<host>:<port><path>`: the URL local clients (an Agent's tools) use. */
export function localMcpUrl(
  host: string,
  port: number,
  path: string,
  scheme: 'http' | 'https' = 'http',
): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
}

function find(list: readonly ReferencedObject[] | undefined, name: string): ReferencedObject | undefined {
  return list?.find((o) => o.metadata.name === name);
}
