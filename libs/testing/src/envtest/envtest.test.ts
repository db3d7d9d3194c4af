import { describe, expect, it } from 'vitest';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { findEnvtestBinaries, gatewayApiCrdFiles, installCrds, readCrdFiles, startEnvtest } from './index.js';

const binaries = findEnvtestBinaries(process.env);

describe.skipIf(!binaries)('envtest', () => {
  it('starts a real apiserver, installs the shipped Gateway API CRDs (adapted for 1.20), validates objects, and stops', async () => {
    const env = await startEnvtest({ binaries: binaries! });
    try {
      const core = env.kubeConfig.makeApiClient(CoreV1Api);
      const ns = await core.createNamespace({ body: { metadata: { name: 'smoke' } } });
      expect(ns.metadata?.name).toBe('smoke');
      await installCrds(env.kubeConfig, await readCrdFiles(gatewayApiCrdFiles()));
      const custom = env.kubeConfig.makeApiClient(CustomObjectsApi);
      const gvk = {
        group: 'gateway.networking.k8s.io',
        version: 'v1',
        namespace: 'smoke',
        plural: 'gateways',
      };
      const created = (await custom.createNamespacedCustomObject({
        ...gvk,
        body: {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'Gateway',
          metadata: { name: 'gw' },
          spec: {
            gatewayClassName: 'agentgateway',
            listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }],
          },
        },
      })) as { metadata?: { uid?: string } };
      expect(created.metadata?.uid).toBeTruthy();
      const invalid = await custom
        .createNamespacedCustomObject({
          ...gvk,
          body: {
            apiVersion: 'gateway.networking.k8s.io/v1',
            kind: 'Gateway',
            metadata: { name: 'bad' },
            spec: {
              gatewayClassName: 'agentgateway',
              listeners: [{ name: 'http', port: 70000, protocol: 'HTTP' }],
            },
          },
        })
        .then(
          () => 'accepted',
          (err: { code?: number }) => err.code,
        );
      expect(invalid).toBe(422);
    } finally {
      await env.stop();
    }
  });
});
