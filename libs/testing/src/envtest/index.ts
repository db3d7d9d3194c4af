export { findEnvtestBinaries, missingBinariesMessage, type EnvtestBinaries } from './binaries.js';
export { startEnvtest, EnvtestStartError, type Envtest, type StartEnvtestOptions } from './envtest.js';
export { installCrds, readCrdFiles, adaptCrdForTestApiserver } from './install-crds.js';
export { repoRoot, agentplaneCrdFiles, gatewayApiCrdFiles } from './repo-paths.js';
