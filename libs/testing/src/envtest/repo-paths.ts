import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file sits at libs/testing/{src,dist}/envtest/). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** YAML files in a folder of the repository, sorted. */
export function yamlFilesIn(folder: string): string[] {
  const dir = join(repoRoot, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}

/** Our generated CRDs, as checked in under deploy/crds/. */
export const agentplaneCrdFiles = (): string[] => yamlFilesIn('deploy/crds');

/** The upstream Gateway API CRDs we ship for users under deploy/gateway-api/. */
export const gatewayApiCrdFiles = (): string[] => yamlFilesIn('deploy/gateway-api');
