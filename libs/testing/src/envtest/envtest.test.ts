import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { findEnvtestBinaries, startEnvtest, installCrds, readCrdFiles, repoRoot } from './index.js';

const binaries = findEnvtestBinaries(process.env);

describe.skipIf(!binaries)('envtest', () => {
  it('starts a real apiserver, installs the adapted Gateway API CRDs, and stops', async () => {
    const env = await startEnvtest({ binaries: binaries! });
    try {
      const core = env.kubeConfig.makeApiClient(CoreV1Api);
      const ns = await core.createNamespace({ body: { metadata: { name: 'smoke' } } });
      expect(ns.metadata?.name).toBe('smoke');
      const dir = join(repoRoot, '..', 'shared', 'reference', 'crds', 'gateway-api-v1.6.1');
      const crds = await readCrdFiles(['gateways.yaml', 'gatewayclasses.yaml', 'httproutes.yaml'].map((f) => join(dir, f)));
      await installCrds(env.kubeConfig, crds);
    } finally {
      await env.stop();
    }
  });
});
