import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const requireHere = createRequire(import.meta.url);

/** The entry script of an npm package's first bin, resolved from this app's dependencies. */
export function packageBin(pkgName: string): string {
  const pkgJsonPath = requireHere.resolve(`${pkgName}/package.json`);
  const pkg = JSON.parse(readFileSync(pkgJsonPath, 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : Object.values(pkg.bin ?? {})[0];
  if (!bin) throw new Error(`${pkgName} declares no bin`);
  return join(dirname(pkgJsonPath), bin);
}

export interface SampleToolServer {
  name: string;
  cmd: string;
  args: string[];
  env?: Record<string, string>;
}

/**
 * The MCP servers the local platform offers out of the box: real servers from npm, run over
 * stdio by the gateway (no network needed).
 */
export function sampleToolServers(nodePath: string, dataDir: string): SampleToolServer[] {
  return [
    {
      name: 'everything',
      cmd: nodePath,
      args: [packageBin('@modelcontextprotocol/server-everything'), 'stdio'],
    },
    {
      name: 'memory',
      cmd: nodePath,
      args: [packageBin('@modelcontextprotocol/server-memory')],
      env: { MEMORY_FILE_PATH: join(dataDir, 'memory.jsonl') },
    },
  ];
}
