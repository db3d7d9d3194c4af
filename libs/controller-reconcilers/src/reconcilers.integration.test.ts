import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories, openDatabase, type Database, type Repositories } from '@agentplane/db';
import { KubeResourceStore, findCondition, type Condition, type KubeObject } from '@agentplane/k8s';
import { metricSum, writeRequests } from '@agentplane/k8s/testing';
import { createLogger, createMetricsRegistry, type Registry } from '@agentplane/telemetry';
import { setupEnvtest } from '@agentplane/testing/envtest/vitest';
import { startHttpMcpServer, type HttpMcpServer } from '@agentplane/testing/mcp-servers';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { waitFor } from '@agentplane/testing/wait';
import { ControllerManager } from './controller-manager.js';
import {
  AGENT,
  DEPLOYMENT,
  MODEL_CONFIG,
  MODEL_PROVIDER_CONFIG,
  REMOTE_MCP_SERVER,
  SECRET,
  SERVICE,
  SERVICE_ACCOUNT,
} from '@agentplane/k8s/kinds';

const suite = setupEnvtest({ env: process.env });
const NS = 'agents';
const RUNTIME_IMAGE = 'ghcr.io/agentplane/agent-runtime:test';

type WithStatus = KubeObject & {
  status?: {
    conditions?: Condition[];
    observedGeneration?: number;
    secretHash?: string;
    discoveredTools?: { name: string; description: string }[];
    discoveredModels?: string[];
    modelCount?: number;
    lastDiscoveryTime?: string;
  };
};

const secret = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: NS },
  stringData: data,
});
const modelConfig = (name: string, secretName = 'openai-key'): KubeObject => ({
  apiVersion: 'kagent.dev/v1alpha2',
  kind: 'ModelConfig',
  metadata: { name, namespace: NS },
  spec: { provider: 'OpenAI', model: 'gpt-4o', apiKeySecret: secretName, apiKeySecretKey: 'OPENAI_API_KEY' },
});
const remoteServer = (name: string, url: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'kagent.dev/v1alpha2',
  kind: 'RemoteMCPServer',
  metadata: { name, namespace: NS },
  spec: { description: `${name} server`, url, protocol: 'STREAMABLE_HTTP', ...extra },
});
const agent = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'kagent.dev/v1alpha2',
  kind: 'Agent',
  metadata: { name, namespace: NS },
  spec: {
    type: 'Declarative',
    description: `${name} agent`,
    declarative: { systemMessage: 'You help.', modelConfig: 'default-model-config', ...spec },
  },
});
const mcpTool = (name: string, toolNames: string[] = ['echo']) => ({
  type: 'McpServer',
  mcpServer: { apiGroup: 'kagent.dev', kind: 'RemoteMCPServer', name, toolNames },
});

describe.skipIf(!suite.available)('controller reconcilers on a real kube-apiserver', () => {
  let admin: KubeResourceStore;
  let everything: HttpMcpServer;
  let llm: MockLlm;
  let db: Database;
  let repos: Repositories;
  let hanging: Server;
  const hangingSockets = new Set<Socket>();
  let hangingUrl = '';
  let running: { manager: ControllerManager; store: KubeResourceStore; registry: Registry } | undefined;

  async function startManager(): Promise<{
    manager: ControllerManager;
    store: KubeResourceStore;
    registry: Registry;
  }> {
    const registry = createMetricsRegistry();
    const store = new KubeResourceStore({
      kubeConfig: suite.get().kubeConfig,
      fieldManager: 'agentplane-controller',
      registry,
    });
    const manager = new ControllerManager({
      store,
      repositories: repos,
      translate: { runtimeImage: RUNTIME_IMAGE },
      registry,
      logger: createLogger({
        name: 'controller',
        level: process.env['TEST_LOG_LEVEL'] === 'debug' ? 'debug' : 'silent',
      }),
      discovery: {
        concurrency: 2,
        timeoutMs: 5_000,
        initialBackoffMs: 200,
        maxBackoffMs: 2_000,
        refreshIntervalMs: 0,
        // Services are reached by their cluster DNS name; here they run on loopback.
        rewriteUrl: (url) => url.replace(/^http:\/\/[a-z0-9-]+\.agents:/, 'http://127.0.0.1:'),
      },
    });
    await manager.start();
    return { manager, store, registry };
  }

  async function stopManager(): Promise<void> {
    if (!running) return;
    await running.manager.stop();
    await running.store.stop();
    running = undefined;
  }

  const read = <T extends KubeObject = WithStatus>(
    kind: typeof AGENT,
    name: string,
  ): Promise<T | undefined> => admin.get<T>(kind, NS, name);
  const condition = async (kind: typeof AGENT, name: string, type: string): Promise<Condition | undefined> =>
    findCondition((await read(kind, name))?.status?.conditions, type);
  const configJson = async (name: string): Promise<Record<string, unknown>> => {
    const s = await read(SECRET, name);
    const data = (s?.['data'] ?? {}) as Record<string, string>;
    return JSON.parse(Buffer.from(data['config.json'] ?? '', 'base64').toString('utf8')) as Record<
      string,
      unknown
    >;
  };
  const configHash = async (name: string): Promise<string | undefined> => {
    const d = await read<
      KubeObject & { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } }
    >(DEPLOYMENT, name);
    return d?.spec?.template?.metadata?.annotations?.['kagent.dev/config-hash'];
  };

  beforeAll(async () => {
    const kubeConfig = suite.get().kubeConfig;
    admin = new KubeResourceStore({ kubeConfig, fieldManager: 'test-admin' });
    await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    everything = await startHttpMcpServer({ transport: 'streamableHttp' });
    llm = await startMockLlm({ script: { models: ['gpt-4o', 'gpt-4o-mini'], rules: [] } });
    db = await openDatabase({});
    repos = createRepositories(db);
    // Accepts connections and never answers a byte.
    hanging = createServer((socket) => {
      hangingSockets.add(socket);
      socket.on('close', () => hangingSockets.delete(socket));
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const address = hanging.address();
    hangingUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/mcp`;

    await admin.apply(secret('openai-key', { OPENAI_API_KEY: 'sk-one' }));
    await admin.apply(modelConfig('default-model-config'));
    await admin.apply(remoteServer('everything', everything.url));
    running = await startManager();
  });

  afterAll(async () => {
    await stopManager();
    await admin?.stop();
    for (const socket of hangingSockets) socket.destroy();
    await new Promise<void>((resolve) => (hanging ? hanging.close(() => resolve()) : resolve()));
    await everything?.dispose();
    await llm?.close();
    await db?.close();
  });

  it('runs 8 Agent reconciles at once by default, like the controller app', async () => {
    const { registry } = running!;
    const workers = (controller: string): Promise<number> =>
      metricSum(registry, 'controller_runtime_max_concurrent_reconciles', { controller });
    expect(await workers('agent')).toBe(8);
    expect(await workers('modelconfig')).toBe(2);
  });

  it('reconciles an Agent with a ModelConfig, a RemoteMCPServer and a sub-agent', async () => {
    await admin.apply(agent('helper'));
    await admin.apply(
      agent('main', { tools: [mcpTool('everything'), { type: 'Agent', agent: { name: 'helper' } }] }),
    );
    const accepted = await waitFor(
      async () => {
        const c = await condition(AGENT, 'main', 'Accepted');
        return c?.status === 'True' ? c : false;
      },
      { description: 'main Accepted=True' },
    );
    expect(accepted).toMatchObject({ reason: 'Reconciled', observedGeneration: 1 });

    const main = (await read(AGENT, 'main'))!;
    for (const kind of [SECRET, SERVICE_ACCOUNT, DEPLOYMENT, SERVICE]) {
      const child = await read(kind, 'main');
      expect(child, kind.kind).toBeDefined();
      expect(child?.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'Agent', name: 'main', uid: main.metadata.uid, controller: true }),
      ]);
      expect(child?.metadata.labels).toMatchObject({ app: 'kagent', kagent: 'main' });
    }
    const config = await configJson('main');
    const httpTools = config['http_tools'] as { params: { url: string }; tools: string[] }[];
    expect(httpTools.map((t) => [t.params.url, t.tools])).toEqual([[everything.url, ['echo']]]);
    expect(config['remote_agents']).toEqual([
      expect.objectContaining({ name: 'agents__NS__helper', url: 'http://helper.agents:8080' }),
    ]);
    const deployment = (await read(DEPLOYMENT, 'main')) as KubeObject & {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    expect(deployment.spec.template.spec.containers[0]?.image).toBe(RUNTIME_IMAGE);
    expect((await read(AGENT, 'main'))?.status?.observedGeneration).toBe(1);

    // No controller-manager here: nothing runs the Deployment until we say it is available.
    expect(await condition(AGENT, 'main', 'Ready')).toMatchObject({
      status: 'False',
      reason: 'DeploymentNotReady',
    });
    await admin.patchStatus(DEPLOYMENT, NS, 'main', {
      replicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      updatedReplicas: 1,
      conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'ok' }],
    });
    await waitFor(async () => (await condition(AGENT, 'main', 'Ready'))?.reason === 'DeploymentReady', {
      description: 'Ready=True after the Deployment became available',
    });
    expect(await condition(AGENT, 'helper', 'Accepted')).toMatchObject({ status: 'True' });

    // The database has the agent, and the model config its status.
    const row = await waitFor(async () => (await repos.agents.get('agents__NS__main')) ?? false);
    expect(row.type).toBe('Declarative');
    expect((row.config as { description?: string }).description).toBe('main agent');
    const mc = await waitFor(async () => {
      const m = await read(MODEL_CONFIG, 'default-model-config');
      return m?.status?.secretHash ? m : false;
    });
    expect(findCondition(mc.status?.conditions, 'Accepted')).toMatchObject({
      status: 'True',
      reason: 'Reconciled',
    });
  });

  it('discovers the tools of a RemoteMCPServer into its status and the database', async () => {
    const server = await waitFor(
      async () => {
        const s = await read(REMOTE_MCP_SERVER, 'everything');
        return s?.status?.discoveredTools?.length ? s : false;
      },
      { description: 'discoveredTools', timeoutMs: 20_000 },
    );
    expect(server.status?.discoveredTools?.map((t) => t.name)).toEqual(
      expect.arrayContaining(['echo', 'get-sum']),
    );
    expect(findCondition(server.status?.conditions, 'Accepted')).toMatchObject({
      status: 'True',
      observedGeneration: 1,
    });
    const tools = await repos.tools.listTools({ serverName: `${NS}/everything` });
    expect(tools.map((t) => t.id)).toEqual(expect.arrayContaining(['echo', 'get-sum']));
    expect(tools[0]?.groupKind).toBe('RemoteMCPServer.kagent.dev');
    expect(
      (await repos.tools.getServer({ name: `${NS}/everything`, groupKind: 'RemoteMCPServer.kagent.dev' }))
        ?.lastConnected,
    ).toBeInstanceOf(Date);
  });

  it('discovers the tools of a Service labelled kagent.dev/mcp-service=true', async () => {
    await admin.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'svc-everything',
        namespace: NS,
        labels: { 'kagent.dev/mcp-service': 'true' },
        annotations: { 'kagent.dev/mcp-service-path': '/mcp' },
      },
      spec: { ports: [{ name: 'mcp', port: everything.port, protocol: 'TCP', appProtocol: 'mcp' }] },
    });
    const tools = await waitFor(
      async () => {
        const t = await repos.tools.listTools({ serverName: `${NS}/svc-everything`, groupKind: 'Service' });
        return t.length > 0 ? t : false;
      },
      { description: 'Service tools in the database', timeoutMs: 20_000 },
    );
    expect(tools.map((t) => t.id)).toContain('echo');
  });

  it('names the field of an invalid Agent, and flips status when a tool reference comes and goes', async () => {
    await admin.apply(agent('broken', { modelConfig: 'missing-model' }));
    const failed = await waitFor(
      async () => {
        const c = await condition(AGENT, 'broken', 'Accepted');
        return c?.status === 'False' ? c : false;
      },
      { description: 'broken Accepted=False' },
    );
    expect(failed.reason).toBe('ReconcileFailed');
    expect(failed.message).toContain('spec.declarative.modelConfig');
    expect(failed.message).toContain('missing-model');
    // Creating the missing reference re-queues the Agent that waited for it.
    await admin.apply(modelConfig('missing-model'));
    await waitFor(async () => (await condition(AGENT, 'broken', 'Accepted'))?.status === 'True', {
      description: 'broken accepted once its ModelConfig exists',
    });

    await admin.apply(remoteServer('temp', everything.url));
    await admin.apply(agent('uses-temp', { tools: [mcpTool('temp')] }));
    await waitFor(async () => (await condition(AGENT, 'uses-temp', 'Accepted'))?.status === 'True', {
      description: 'uses-temp accepted',
    });
    await admin.delete(REMOTE_MCP_SERVER, NS, 'temp');
    const flipped = await waitFor(
      async () => {
        const c = await condition(AGENT, 'uses-temp', 'Accepted');
        return c?.status === 'False' ? c : false;
      },
      { description: 'uses-temp Accepted=False after the tool server was deleted' },
    );
    expect(flipped.message).toContain('spec.declarative.tools[0].mcpServer');
    expect(flipped.message).toContain('RemoteMCPServer agents/temp not found');
    // The tool server's rows are gone from the database too.
    await waitFor(async () => (await repos.tools.listTools({ serverName: `${NS}/temp` })).length === 0);
  });

  it('rolls the agent through the config hash when its API key Secret changes', async () => {
    const before = await waitFor(() => configHash('main'));
    const mcBefore = (await read(MODEL_CONFIG, 'default-model-config'))?.status?.secretHash;
    await admin.apply(secret('openai-key', { OPENAI_API_KEY: 'sk-two' }));
    const after = await waitFor(
      async () => {
        const h = await configHash('main');
        return h && h !== before ? h : false;
      },
      { description: 'a new config hash on the Deployment' },
    );
    expect(after).toMatch(/^\d+$/);
    await waitFor(
      async () => {
        const h = (await read(MODEL_CONFIG, 'default-model-config'))?.status?.secretHash;
        return h !== undefined && h !== mcBefore;
      },
      { description: 'a new ModelConfig secretHash' },
    );
  });

  it('keeps reconciling while an MCP server accepts connections and never answers', async () => {
    const hangingKey = `RemoteMCPServer/${NS}/hanging`;
    const stillHanging = (): boolean =>
      running?.manager.toolDiscovery.outcome(hangingKey)?.state === 'pending';
    await admin.apply(remoteServer('hanging', hangingUrl, { timeout: '6s' }));
    await admin.apply(agent('uses-hanging', { tools: [mcpTool('hanging')] }));
    await waitFor(() => hangingSockets.size > 0, { description: 'a connection to the hanging server' });
    // Reconciles although discovery of its tool server cannot finish.
    await waitFor(async () => (await condition(AGENT, 'uses-hanging', 'Accepted'))?.status === 'True', {
      description: 'uses-hanging accepted',
      timeoutMs: 5_000,
    });
    // Other work goes on while that discovery hangs.
    await admin.apply(agent('meanwhile'));
    await admin.apply(remoteServer('everything-2', everything.url));
    await waitFor(async () => (await condition(AGENT, 'meanwhile', 'Accepted'))?.status === 'True', {
      description: 'another agent accepted meanwhile',
      timeoutMs: 5_000,
    });
    await waitFor(
      async () => (await read(REMOTE_MCP_SERVER, 'everything-2'))?.status?.discoveredTools?.length,
      { description: 'another server discovered meanwhile', timeoutMs: 5_000 },
    );
    expect(stillHanging()).toBe(true);
    // The deadline ends the hanging discovery; the status says why.
    const failed = await waitFor(
      async () => {
        const c = await condition(REMOTE_MCP_SERVER, 'hanging', 'Accepted');
        return c?.status === 'False' ? c : false;
      },
      { description: 'hanging server Accepted=False', timeoutMs: 15_000 },
    );
    expect(failed.message).toMatch(/tool discovery failed: TIMEOUT/);
    await admin.delete(REMOTE_MCP_SERVER, NS, 'hanging');
  });

  it('discovers the models of a ModelProviderConfig from the provider models endpoint', async () => {
    await admin.apply(secret('provider-key', { OPENAI_API_KEY: 'sk-provider' }));
    for (const [name, type, endpoint] of [
      ['openai-models', 'OpenAI', `${llm.url}/v1`],
      ['anthropic-models', 'Anthropic', llm.url],
    ] as const) {
      await admin.apply({
        apiVersion: 'kagent.dev/v1alpha2',
        kind: 'ModelProviderConfig',
        metadata: { name, namespace: NS },
        spec: { type, endpoint, secretRef: { name: 'provider-key' } },
      });
    }
    for (const name of ['openai-models', 'anthropic-models']) {
      const mpc = await waitFor(
        async () => {
          const m = await read(MODEL_PROVIDER_CONFIG, name);
          return findCondition(m?.status?.conditions, 'Ready')?.status === 'True' ? m : false;
        },
        { description: `${name} Ready`, timeoutMs: 15_000 },
      );
      expect(mpc.status?.discoveredModels).toEqual(['gpt-4o', 'gpt-4o-mini']);
      expect(mpc.status?.modelCount).toBe(2);
      expect(mpc.status?.lastDiscoveryTime).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(findCondition(mpc.status?.conditions, 'SecretResolved')).toMatchObject({ status: 'True' });
      expect(findCondition(mpc.status?.conditions, 'ModelsDiscovered')).toMatchObject({ status: 'True' });
    }
    const modelRequests = llm.requests.filter((r) => r.path.includes('/v1/models'));
    expect(modelRequests.some((r) => r.headers['authorization'] === 'Bearer sk-provider')).toBe(true);
    expect(modelRequests.some((r) => r.headers['x-api-key'] === 'sk-provider')).toBe(true);
  });

  it('makes no write after a restart when nothing changed', async () => {
    await waitFor(() => running?.manager.isIdle(), {
      description: 'the first manager to go idle',
      timeoutMs: 15_000,
    });
    await stopManager();
    running = await startManager();
    const { registry, manager } = running;
    const agents = (await admin.list(AGENT, { namespace: NS })).length;
    await waitFor(
      async () =>
        manager.isIdle() &&
        (await metricSum(registry, 'controller_runtime_reconcile_total', { controller: 'agent' })) >=
          agents &&
        (await metricSum(registry, 'controller_runtime_reconcile_total', {
          controller: 'remotemcpserver',
        })) >= 2 &&
        (await metricSum(registry, 'controller_runtime_reconcile_total', {
          controller: 'modelproviderconfig',
        })) >= 2,
      { description: 'every object reconciled after the restart', timeoutMs: 20_000 },
    );
    expect(await writeRequests(registry)).toBe(0);
    expect(await metricSum(registry, 'controller_runtime_reconcile_errors_total')).toBe(0);
  });
});
