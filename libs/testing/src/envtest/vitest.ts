import { afterAll, beforeAll } from 'vitest';
import { findEnvtestBinaries, missingBinariesMessage } from './binaries.js';
import { startEnvtest, type Envtest } from './envtest.js';
import { installCrds, readCrdFiles } from './install-crds.js';
import { agentplaneCrdFiles, gatewayApiCrdFiles } from './repo-paths.js';

export interface EnvtestSuiteOptions {
  /** The environment to find binaries in (pass process.env). `CI=true` makes missing binaries an error. */
  env: Readonly<Record<string, string | undefined>>;
  /** Install our CRDs from deploy/crds (default true). */
  agentplaneCrds?: boolean;
  /** Install the Gateway API CRDs from deploy/gateway-api (default false). */
  gatewayApiCrds?: boolean;
}

export interface EnvtestSuite {
  /** False when the binaries are absent outside CI: wrap the suite in describe.skipIf(!available). */
  readonly available: boolean;
  /** The running apiserver; only valid inside tests of an available suite. */
  get(): Envtest;
}

/**
 * Registers beforeAll/afterAll hooks in the calling test file that start a real kube-apiserver
 * with the requested CRDs installed, and stop it afterwards. Outside CI, missing binaries make the
 * suite skip with a loud warning; in CI they fail it.
 */
export function setupEnvtest(options: EnvtestSuiteOptions): EnvtestSuite {
  const binaries = findEnvtestBinaries(options.env);
  if (!binaries) {
    if (options.env['CI'] === 'true') throw new Error(`${missingBinariesMessage} (CI requires them)`);
    console.warn(`\n!!! ${missingBinariesMessage}\n`);
    return {
      available: false,
      get: () => {
        throw new Error(missingBinariesMessage);
      },
    };
  }
  let envtest: Envtest | undefined;
  beforeAll(async () => {
    envtest = await startEnvtest({ binaries });
    const files = [
      ...(options.agentplaneCrds === false ? [] : agentplaneCrdFiles()),
      ...(options.gatewayApiCrds ? gatewayApiCrdFiles() : []),
    ];
    await installCrds(envtest.kubeConfig, await readCrdFiles(files));
  }, 120_000);
  afterAll(async () => {
    await envtest?.stop();
  });
  return {
    available: true,
    get: () => {
      if (!envtest) throw new Error('envtest is not started yet (use it inside a test or hook)');
      return envtest;
    },
  };
}
