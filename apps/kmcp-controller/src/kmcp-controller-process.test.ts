// The built app (dist/main.js) as a process against a real kube-apiserver, under the
// ServiceAccount and RBAC of deploy/kmcp-controller/rbac.yaml, with leader election: proves the
// kubeconfig start, that the ClusterRole grants every request made, metrics, health and shutdown.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { CoreV1Api } from '@kubernetes/client-node';
import { KubeResourceStore, type Condition, type KubeObject } from '@agentplane/k8s';
import { DEPLOYMENT, LEASE, MCP_SERVER } from '@agentplane/k8s/kinds';
import { repoRoot } from '@agentplane/testing/envtest';
import { setupEnvtest } from '@agentplane/testing/envtest/vitest';
import { freePort } from '@agentplane/testing/free-port';
import { spawnManaged, type ManagedProcess } from '@agentplane/testing/managed-process';
import { waitFor } from '@agentplane/testing/wait';

const MAIN = join(import.meta.dirname, '..', 'dist', 'main.js');
const built = existsSync(MAIN);
if (!built) console.warn(`\n!!! ${MAIN} is missing: run pnpm nx run @agentplane/kmcp-controller:build\n`);

const suite = setupEnvtest({ env: process.env });

describe.skipIf(!suite.available || !built)('kmcp-controller process', () => {
  let dir: string;
  let admin: KubeResourceStore;
  let proc: ManagedProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kmcp-controller-'));
    const env = suite.get();
    const core = env.kubeConfig.makeApiClient(CoreV1Api);
    admin = new KubeResourceStore({ kubeConfig: env.kubeConfig, fieldManager: 'test-admin' });
    for (const name of ['kagent', 'apps']) await core.createNamespace({ body: { metadata: { name } } });
    const rbac = parseAllDocuments(readFileSync(join(repoRoot, 'deploy/kmcp-controller/rbac.yaml'), 'utf8'));
    for (const doc of rbac) await admin.apply(doc.toJS() as KubeObject);
    const token = await core.createNamespacedServiceAccountToken({
      namespace: 'kagent',
      name: 'kmcp-controller',
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const cluster = env.kubeConfig.getCurrentCluster();
    const kubeconfig = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'envtest',
          cluster: { server: cluster?.server, 'certificate-authority-data': cluster?.caData },
        },
      ],
      users: [{ name: 'kmcp-controller', user: { token: token.status?.token } }],
      contexts: [{ name: 'envtest', context: { cluster: 'envtest', user: 'kmcp-controller' } }],
      'current-context': 'envtest',
    };
    writeFileSync(join(dir, 'kubeconfig'), stringify(kubeconfig));
  });

  afterAll(async () => {
    await proc?.stop();
    await admin?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts from a kubeconfig, leads, reconciles with only its RBAC, serves metrics and health, and stops cleanly', async () => {
    const port = await freePort();
    proc = spawnManaged(
      process.execPath,
      [MAIN, '--leader-elect', '--metrics-port', String(port), '--metrics-host', '127.0.0.1'],
      {
        env: {
          PATH: process.env['PATH'] ?? '',
          KUBECONFIG: join(dir, 'kubeconfig'),
          POD_NAMESPACE: 'kagent',
          POD_NAME: 'kmcp-test',
          LOG_LEVEL: 'info',
        },
      },
    );
    const ops = `http://127.0.0.1:${port}`;
    const running = proc;
    await waitFor(async () => (await fetch(`${ops}/readyz`)).status === 200, {
      timeoutMs: 20_000,
      description: `readyz (output: ${running.output()})`,
      isFatal: () => running.exited(),
    });
    expect((await fetch(`${ops}/healthz`)).status).toBe(200);

    await admin.apply({
      apiVersion: 'kagent.dev/v1alpha1',
      kind: 'MCPServer',
      metadata: { namespace: 'apps', name: 'fetch' },
      spec: { transportType: 'stdio', deployment: { cmd: 'uvx', args: ['mcp-server-fetch'], port: 3000 } },
    });
    const deployment = await waitFor(async () => (await admin.get(DEPLOYMENT, 'apps', 'fetch')) ?? false, {
      timeoutMs: 20_000,
      description: `Deployment (output: ${running.output()})`,
    });
    expect(JSON.stringify(deployment['spec'])).toContain('ghcr.io/astral-sh/uv:python3.12-bookworm-slim');
    const programmed = await waitFor(async () => {
      const s = await admin.get(MCP_SERVER, 'apps', 'fetch');
      const c = (s?.['status'] as { conditions?: Condition[] } | undefined)?.conditions;
      return c?.find((x) => x.type === 'Programmed' && x.status === 'True') ?? false;
    });
    expect(programmed.observedGeneration).toBe(1);

    const lease = await admin.get(LEASE, 'kagent', 'agentplane-kmcp-controller');
    expect((lease?.['spec'] as { holderIdentity?: string }).holderIdentity).toMatch(/^kmcp-test_/);

    // Deleting the MCPServer removes its children (the controller's cleanup; no GC here).
    await admin.delete(MCP_SERVER, 'apps', 'fetch');
    await waitFor(async () => (await admin.get(DEPLOYMENT, 'apps', 'fetch')) === undefined, {
      description: 'Deployment deleted',
    });

    const metrics = await (await fetch(`${ops}/metrics`)).text();
    expect(metrics).toMatch(
      /controller_runtime_reconcile_total\{controller="mcpserver",result="success"\} [1-9]/,
    );
    expect(metrics).toContain('controller_runtime_reconcile_errors_total{controller="mcpserver"} 0');
    expect(metrics).toMatch(/leader_election_master_status\{name="agentplane-kmcp-controller"\} 1/);
    expect(metrics).toMatch(/kagent_build_info\{version="0\.1\.0",commit="unknown"\} 1/);
    expect(metrics).toContain('workqueue_depth{');
    expect(metrics).toContain('process_cpu_user_seconds_total');
    // Every request the controller made was allowed by its ClusterRole and Role.
    expect(metrics).toMatch(/rest_client_requests_total\{code="200",method="PATCH"/);
    expect(metrics).not.toMatch(/rest_client_requests_total\{code="403"/);

    await running.stop(10_000);
    expect(running.child.exitCode).toBe(0);
    // The lease is released on the way out, so a new replica takes over at once.
    await waitFor(
      async () => {
        const l = await admin.get(LEASE, 'kagent', 'agentplane-kmcp-controller');
        return ((l?.['spec'] as { holderIdentity?: string } | undefined)?.holderIdentity ?? '') === '';
      },
      { description: 'lease released' },
    );
  });
});
