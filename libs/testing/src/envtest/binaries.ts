import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

export interface EnvtestBinaries {
  kubeApiserver: string;
  etcd: string;
}

function executable(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

/**
 * Finds kube-apiserver and etcd from the given environment: `KUBE_APISERVER_BIN` and `ETCD_BIN`
 * first, then a folder holding both (`KUBEBUILDER_ASSETS` or `ENVTEST_ASSETS`), then the cache
 * folder that `scripts/provision-envtest.sh` fills. Returns undefined when either is missing.
 */
export function findEnvtestBinaries(
  env: Readonly<Record<string, string | undefined>>,
): EnvtestBinaries | undefined {
  const folders = [env['KUBEBUILDER_ASSETS'], env['ENVTEST_ASSETS']];
  if (env['HOME']) folders.push(join(env['HOME'], '.cache', 'agentplane', 'envtest'));
  const inFolders = (name: string): string | undefined => {
    for (const folder of folders) {
      const found = folder ? executable(join(folder, name)) : undefined;
      if (found) return found;
    }
    return undefined;
  };
  const kubeApiserver = executable(env['KUBE_APISERVER_BIN']) ?? inFolders('kube-apiserver');
  const etcd = executable(env['ETCD_BIN']) ?? inFolders('etcd') ?? executable('/usr/bin/etcd');
  return kubeApiserver && etcd ? { kubeApiserver, etcd } : undefined;
}

/** The message printed when the binaries are missing, so a skipped suite is loud about why. */
export const missingBinariesMessage =
  'kube-apiserver/etcd not found: set KUBE_APISERVER_BIN and ETCD_BIN (or KUBEBUILDER_ASSETS), ' +
  'or run scripts/provision-envtest.sh. Tests that need a real Kubernetes API are SKIPPED.';
