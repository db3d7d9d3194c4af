// The built app (dist/main.js) in its default mode against a real kube-apiserver, under the
// ServiceAccount and RBAC of deploy/controller/rbac.yaml, with leader election: proves the
// kubeconfig start, that the ClusterRole grants every request made, metrics, health and shutdown.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { CoreV1Api } from '@kubernetes/client-node';
import { KubeResourceStore, type Condition, type KubeObject } from '@agentplane/k8s';
import { AGENT, DEPLOYMENT, LEASE, REMOTE_MCP_SERVER as REMOTE } from '@agentplane/k8s/kinds';
import { repoRoot } from '@agentplane/testing/envtest';
import { setupEnvtest } from '@agentplane/testing/envtest/vitest';
import { freePort } from '@agentplane/testing/free-port';
import { spawnManaged, type ManagedProcess } from '@agentplane/testing/managed-process';
import { waitFor } from '@agentplane/testing/wait';

const MAIN = join(import.meta.dirname, '..', 'dist', 'main.js');
const built = existsSync(MAIN);
if (!built) console.warn(`\n!!! ${MAIN} is missing: run pnpm nx run @agentplane/controller:build\n`);

const suite = setupEnvtest({ env: process.env });

const conditionOf = (obj: KubeObject | undefined, type: string): Condition | undefined =>
  (obj?.['status'] as { conditions?: Condition[] } | undefined)?.conditions?.find((c) => c.type === type);

describe.skipIf(!suite.available || !built)('controller process (reconcile mode)', () => {
  let dir: string;
  let admin: KubeResourceStore;
  let proc: ManagedProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'controller-'));
    const env = suite.get();
    const core = env.kubeConfig.makeApiClient(CoreV1Api);
    admin = new KubeResourceStore({ kubeConfig: env.kubeConfig, fieldManager: 'test-admin' });
    for (const name of ['kagent', 'apps']) await core.createNamespace({ body: { metadata: { name } } });
    const rbac = parseAllDocuments(readFileSync(join(repoRoot, 'deploy/controller/rbac.yaml'), 'utf8'));
    for (const doc of rbac) await admin.apply(doc.toJS() as KubeObject);
    const token = await core.createNamespacedServiceAccountToken({
      namespace: 'kagent',
      name: 'kagent-controller',
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const cluster = env.kubeConfig.getCurrentCluster();
    writeFileSync(
      join(dir, 'kubeconfig'),
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'envtest',
            cluster: { server: cluster?.server, 'certificate-authority-data': cluster?.caData },
          },
        ],
        users: [{ name: 'controller', user: { token: token.status?.token } }],
        contexts: [{ name: 'envtest', context: { cluster: 'envtest', user: 'controller' } }],
        'current-context': 'envtest',
      }),
    );
  });

  afterAll(async () => {
    await proc?.stop();
    await admin?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts from a kubeconfig, leads, reconciles with only its RBAC, serves metrics, health and the API, and stops cleanly', async () => {
    const port = await freePort();
    const apiPort = await freePort();
    proc = spawnManaged(
      process.execPath,
      [
        MAIN,
        '--leader-elect',
        '--watch-namespaces',
        'apps',
        '--metrics-port',
        String(port),
        '--metrics-host',
        '127.0.0.1',
        '--api-port',
        String(apiPort),
        '--api-host',
        '127.0.0.1',
        '--data-dir',
        join(dir, 'data'),
        '--runtime-image',
        'example.com/runtime:1',
        '--discovery-timeout',
        '2',
      ],
      {
        env: {
          PATH: process.env['PATH'] ?? '',
          KUBECONFIG: join(dir, 'kubeconfig'),
          POD_NAMESPACE: 'kagent',
          POD_NAME: 'controller-test',
          LOG_LEVEL: 'info',
        },
      },
    );
    const ops = `http://127.0.0.1:${port}`;
    const running = proc;
    await waitFor(async () => (await fetch(`${ops}/readyz`)).status === 200, {
      timeoutMs: 30_000,
      description: `readyz (output: ${running.output()})`,
      isFatal: () => running.exited(),
    });
    expect((await fetch(`${ops}/healthz`)).status).toBe(200);

    await admin.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { namespace: 'apps', name: 'key' },
      stringData: { OPENAI_API_KEY: 'sk-x' },
    });
    await admin.apply({
      apiVersion: 'kagent.dev/v1alpha2',
      kind: 'ModelConfig',
      metadata: { namespace: 'apps', name: 'default-model-config' },
      spec: { provider: 'OpenAI', model: 'gpt-4o', apiKeySecret: 'key', apiKeySecretKey: 'OPENAI_API_KEY' },
    });
    // Nothing listens on port 1: discovery fails, which the status reports.
    await admin.apply({
      apiVersion: 'kagent.dev/v1alpha2',
      kind: 'RemoteMCPServer',
      metadata: { namespace: 'apps', name: 'nowhere' },
      spec: { description: 'unreachable', url: 'http://127.0.0.1:1/mcp' },
    });
    // The Agent is created through the HTTP API, which writes it to the cluster.
    const api = `http://127.0.0.1:${apiPort}`;
    const created = await fetch(`${api}/api/agents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'kagent.dev/v1alpha2',
        kind: 'Agent',
        metadata: { namespace: 'apps', name: 'assistant' },
        spec: { type: 'Declarative', description: 'helps', declarative: { systemMessage: 'Help.' } },
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const deployment = await waitFor(
      async () => (await admin.get(DEPLOYMENT, 'apps', 'assistant')) ?? false,
      {
        timeoutMs: 20_000,
        description: `Deployment (output: ${running.output()})`,
      },
    );
    expect(JSON.stringify(deployment['spec'])).toContain('example.com/runtime:1');
    await waitFor(
      async () => conditionOf(await admin.get(AGENT, 'apps', 'assistant'), 'Accepted')?.status === 'True',
      {
        description: 'Agent Accepted',
      },
    );
    const failed = await waitFor(
      async () => {
        const c = conditionOf(await admin.get(REMOTE, 'apps', 'nowhere'), 'Accepted');
        return c?.status === 'False' ? c : false;
      },
      { description: 'RemoteMCPServer discovery failure in status', timeoutMs: 15_000 },
    );
    expect(failed.message).toContain('tool discovery failed');

    const listed = (await (await fetch(`${api}/api/agents`)).json()) as {
      data: { id: string; agent: { metadata: { name: string } }; accepted: boolean }[];
    };
    expect(listed.data.map((a) => a.agent.metadata.name)).toEqual(['assistant']);
    expect(listed.data[0]?.accepted).toBe(true);

    const lease = await admin.get(LEASE, 'kagent', 'agentplane-controller');
    expect((lease?.['spec'] as { holderIdentity?: string }).holderIdentity).toMatch(/^controller-test_/);

    const metrics = await (await fetch(`${ops}/metrics`)).text();
    expect(metrics).toMatch(
      /controller_runtime_reconcile_total\{controller="agent",result="success"\} [1-9]/,
    );
    expect(metrics).toContain('controller_runtime_reconcile_errors_total{controller="agent"} 0');
    expect(metrics).toMatch(/leader_election_master_status\{name="agentplane-controller"\} 1/);
    expect(metrics).toMatch(/kagent_build_info\{version="0\.1\.0",commit="unknown"\} 1/);
    expect(metrics).toContain('workqueue_depth{');
    expect(metrics).toContain('process_cpu_user_seconds_total');
    // Every request the controller made was allowed by its ClusterRole and Role.
    expect(metrics).toMatch(/rest_client_requests_total\{code="200",method="PATCH"/);
    expect(metrics).not.toMatch(/rest_client_requests_total\{code="403"/);
    expect(existsSync(join(dir, 'data'))).toBe(true);

    await running.stop(10_000);
    expect(running.child.exitCode).toBe(0);
    await waitFor(
      async () => {
        const l = await admin.get(LEASE, 'kagent', 'agentplane-controller');
        return ((l?.['spec'] as { holderIdentity?: string } | undefined)?.holderIdentity ?? '') === '';
      },
      { description: 'lease released' },
    );
  });
});
