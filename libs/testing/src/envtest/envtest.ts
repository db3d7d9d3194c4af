import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { freePort } from '../free-port.js';
import { spawnManaged, type ManagedProcess } from '../managed-process.js';
import { waitFor } from '../wait.js';
import type { EnvtestBinaries } from './binaries.js';
import { writeEnvtestPki } from './pki.js';

export interface StartEnvtestOptions {
  binaries: EnvtestBinaries;
  /** How long to wait for etcd and kube-apiserver to become ready. */
  startTimeoutMs?: number;
  /** Where Service cluster IPs are allocated (its size caps the number of Services). Default 10.0.0.0/24. */
  serviceClusterIpRange?: string;
}

export interface Envtest {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** A kubeconfig file with a cluster-admin token, for processes under test (KUBECONFIG). */
  readonly kubeconfigPath: string;
  /** The same kubeconfig as text. */
  readonly kubeconfigYaml: string;
  /** A loaded KubeConfig for in-process clients. */
  readonly kubeConfig: KubeConfig;
  readonly adminToken: string;
  /** PEM file of the CA that signed the serving certificate (the kubeconfig's certificate-authority). */
  readonly caFile: string;
  /** A cluster-admin client certificate and key (PEM files) the apiserver accepts. */
  readonly adminCertFile: string;
  readonly adminKeyFile: string;
  /** Stops both processes and removes their data. */
  stop(): Promise<void>;
}

export class EnvtestStartError extends Error {
  readonly code = 'ENVTEST_START_FAILED';
}

const isFatal = (err: unknown): boolean => err instanceof EnvtestStartError;

/** GET `path` on the apiserver with the admin token; resolves with the status code and body. */
function getWithToken(
  server: string,
  path: string,
  token: string,
  ca: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, server),
      { headers: { authorization: `Bearer ${token}` }, ca, timeout: 2_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Starts etcd and kube-apiserver on free loopback ports (no kubelet, scheduler or
 * controller-manager: Deployments are stored, never run) and waits until /readyz answers.
 */
export async function startEnvtest(options: StartEnvtestOptions): Promise<Envtest> {
  const { binaries, startTimeoutMs = 60_000 } = options;
  const dir = await mkdtemp(join(tmpdir(), 'agentplane-envtest-'));
  const processes: ManagedProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const p of processes.reverse()) await p.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const adminToken = randomBytes(24).toString('hex');
    const pki = await writeEnvtestPki(dir, adminToken);
    const [etcdClientPort, etcdPeerPort, apiPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const etcdClient = `http://127.0.0.1:${etcdClientPort}`;
    const etcdPeer = `http://127.0.0.1:${etcdPeerPort}`;
    const etcd = spawnManaged(binaries.etcd, [
      '--name',
      'envtest',
      '--data-dir',
      join(dir, 'etcd'),
      '--listen-client-urls',
      etcdClient,
      '--advertise-client-urls',
      etcdClient,
      '--listen-peer-urls',
      etcdPeer,
      '--initial-advertise-peer-urls',
      etcdPeer,
      '--initial-cluster',
      `envtest=${etcdPeer}`,
      '--unsafe-no-fsync',
    ]);
    processes.push(etcd);
    await waitFor(
      async () => {
        if (etcd.exited()) throw new EnvtestStartError(`etcd exited:\n${etcd.output()}`);
        const res = await fetch(`${etcdClient}/health`);
        return res.ok;
      },
      { timeoutMs: startTimeoutMs, description: 'etcd /health', isFatal },
    );

    const server = `https://127.0.0.1:${apiPort}`;
    const apiserver = spawnManaged(binaries.kubeApiserver, [
      '--etcd-servers',
      etcdClient,
      '--bind-address',
      '127.0.0.1',
      '--advertise-address',
      '127.0.0.1',
      '--secure-port',
      String(apiPort),
      '--insecure-port',
      '0',
      '--tls-cert-file',
      pki.servingCertFile,
      '--tls-private-key-file',
      pki.servingKeyFile,
      '--token-auth-file',
      pki.tokenFile,
      '--client-ca-file',
      pki.clientCaFile,
      '--authorization-mode',
      'RBAC',
      '--service-account-issuer',
      'https://kubernetes.default.svc.cluster.local',
      '--service-account-key-file',
      pki.serviceAccountPublicKeyFile,
      '--service-account-signing-key-file',
      pki.serviceAccountKeyFile,
      '--api-audiences',
      'https://kubernetes.default.svc.cluster.local,kagent,agentgateway',
      '--service-cluster-ip-range',
      options.serviceClusterIpRange ?? '10.0.0.0/24',
      '--endpoint-reconciler-type',
      'none',
      '--disable-admission-plugins',
      'ServiceAccount',
      '--allow-privileged=true',
      '--cert-dir',
      join(dir, 'certs'),
    ]);
    processes.push(apiserver);
    await waitFor(
      async () => {
        if (apiserver.exited()) throw new EnvtestStartError(`kube-apiserver exited:\n${apiserver.output()}`);
        const res = await getWithToken(server, '/readyz', adminToken, pki.servingCert);
        return res.status === 200;
      },
      { timeoutMs: startTimeoutMs, description: 'kube-apiserver /readyz', isFatal },
    ).catch((err: unknown) => {
      if (err instanceof EnvtestStartError) throw err;
      throw new EnvtestStartError(`kube-apiserver did not become ready:\n${apiserver.output()}`, {
        cause: err,
      });
    });

    const kubeconfigYaml = [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: envtest',
      '  cluster:',
      `    server: ${server}`,
      `    certificate-authority-data: ${Buffer.from(pki.servingCert).toString('base64')}`,
      'users:',
      '- name: admin',
      '  user:',
      `    token: ${adminToken}`,
      'contexts:',
      '- name: envtest',
      '  context:',
      '    cluster: envtest',
      '    user: admin',
      '    namespace: default',
      'current-context: envtest',
      '',
    ].join('\n');
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfigYaml, { mode: 0o600 });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(kubeconfigYaml);
    return {
      server,
      kubeconfigPath,
      kubeconfigYaml,
      kubeConfig,
      adminToken,
      caFile: pki.servingCertFile,
      adminCertFile: pki.adminCertFile,
      adminKeyFile: pki.adminKeyFile,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
