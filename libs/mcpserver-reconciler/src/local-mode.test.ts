// Local mode: MCPServers from a folder of YAML run as child processes, stdio ones behind the
// stdio adapter (bundled from its sources here), and the official MCP client uses the URL the
// controller writes to status.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LocalResourceStore, ProcessWorkloadDriver, type Condition, type KubeObject } from '@agentplane/k8s';
import { repoRoot } from '@agentplane/testing/envtest';
import { mcpServerCommand } from '@agentplane/testing/mcp-servers';
import { waitFor } from '@agentplane/testing/wait';
import { MCP_SERVER } from '@agentplane/k8s/kinds';
import { localUrlOf, McpServerController } from './mcpserver.reconciler.js';

describe('local mode', () => {
  let work: string;
  let manifests: string;
  let adapterBundle: string;
  let store: LocalResourceStore;
  let workloads: ProcessWorkloadDriver;
  let controller: McpServerController;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'kmcp-local-'));
    manifests = join(work, 'manifests');
    // The adapter as it ships (esbuild bundle of apps/mcp-adapter), run by plain node.
    execFileSync(
      process.execPath,
      [join(repoRoot, 'apps/mcp-adapter/scripts/build-sea.mjs'), '--out', work, '--bundle-only'],
      { stdio: 'pipe', timeout: 120_000 },
    );
    adapterBundle = join(work, 'mcp-adapter.cjs');
    store = new LocalResourceStore({ dir: manifests, fieldManager: 'kmcp-controller', debounceMs: 20 });
    await store.start();
    workloads = new ProcessWorkloadDriver({
      baseEnv: { PATH: process.env['PATH'], LOG_LEVEL: 'warn' },
      stopGraceMs: 2_000,
    });
    controller = new McpServerController({
      store,
      local: { workloads, adapter: { command: process.execPath, args: [adapterBundle] } },
    });
    await controller.start();
  }, 120_000);

  afterAll(async () => {
    await controller?.stop();
    await workloads?.close();
    await store?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const readServer = (name: string): Promise<KubeObject | undefined> =>
    store.get(MCP_SERVER, 'default', name);
  const waitForReadyUrl = (name: string): Promise<string> =>
    waitFor(
      async () => {
        const obj = await readServer(name);
        const conditions = (obj?.['status'] as { conditions?: Condition[] } | undefined)?.conditions ?? [];
        return conditions.find((c) => c.type === 'Ready')?.status === 'True' ? localUrlOf(obj!) : false;
      },
      { timeoutMs: 20_000, description: `${name} Ready with a URL` },
    );

  async function connect(url: string): Promise<Client> {
    const client = new Client({ name: 'kmcp-local-test', version: '0.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    return client;
  }

  it('runs a stdio MCPServer behind the adapter, serves it at the URL in status, and stops it when its file is deleted', async () => {
    const cmd = mcpServerCommand({ server: 'everything', transport: 'stdio' });
    const file = join(manifests, 'everything.yaml');
    writeFileSync(
      file,
      stringify({
        apiVersion: 'kagent.dev/v1alpha1',
        kind: 'MCPServer',
        metadata: { name: 'everything' },
        spec: {
          transportType: 'stdio',
          deployment: { cmd: cmd.command, args: cmd.args, env: { GREETING: 'from-spec' } },
        },
      }),
    );
    const url = await waitForReadyUrl('everything');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const status = (await readServer('everything'))?.['status'] as { conditions: Condition[] };
    expect(Object.fromEntries(status.conditions.map((c) => [c.type, c.status]))).toEqual({
      Accepted: 'True',
      ResolvedRefs: 'True',
      Programmed: 'True',
      Ready: 'True',
    });

    const client = await connect(url);
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'get-sum', 'get-env']));
      const echo = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
      expect(echo.content).toEqual([{ type: 'text', text: 'Echo: hi' }]);
      // deployment.env reaches the stdio child through the adapter.
      const env = await client.callTool({ name: 'get-env', arguments: {} });
      expect(JSON.stringify(env.content)).toContain('from-spec');
    } finally {
      await client.close();
    }

    const pid = workloads.status('default', 'everything')?.pid;
    expect(pid).toBeGreaterThan(0);
    unlinkSync(file);
    await waitFor(() => workloads.status('default', 'everything') === undefined, {
      timeoutMs: 10_000,
      description: 'workload removed',
    });
    await waitFor(
      () => {
        try {
          process.kill(pid!, 0);
          return false;
        } catch {
          return true; // ESRCH: the adapter process is gone
        }
      },
      { timeoutMs: 10_000, description: 'adapter process exited' },
    );
  });

  it('runs an http MCPServer with its Secret as env, and waits for a missing Secret', async () => {
    const cmd = mcpServerCommand({ server: 'everything', transport: 'streamableHttp' });
    writeFileSync(
      join(manifests, 'http.yaml'),
      stringify({
        apiVersion: 'kagent.dev/v1alpha1',
        kind: 'MCPServer',
        metadata: { name: 'http-everything' },
        spec: {
          transportType: 'http',
          httpTransport: { path: '/mcp' },
          deployment: { cmd: cmd.command, args: cmd.args, secretRefs: [{ name: 'api-key' }] },
        },
      }),
    );
    const missing = await waitFor(
      async () => {
        const conditions =
          ((await readServer('http-everything'))?.['status'] as { conditions?: Condition[] } | undefined)
            ?.conditions ?? [];
        const c = conditions.find((x) => x.type === 'ResolvedRefs');
        return c?.status === 'False' ? c : false;
      },
      { description: 'ResolvedRefs=False' },
    );
    expect(missing.message).toContain('Secret "api-key"');
    expect(workloads.status('default', 'http-everything')).toBeUndefined();

    writeFileSync(
      join(manifests, 'secret.yaml'),
      stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'api-key' },
        stringData: { UPSTREAM_API_KEY: 'secret-value-123' },
      }),
    );
    const url = await waitForReadyUrl('http-everything');
    const client = await connect(url);
    try {
      const env = await client.callTool({ name: 'get-env', arguments: {} });
      expect(JSON.stringify(env.content)).toContain('secret-value-123');
    } finally {
      await client.close();
    }
  });
});
