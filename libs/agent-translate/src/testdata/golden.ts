// Locates kagent's golden translator data beside the repository (`<repo>/../shared/reference`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

function repoRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('repository root not found');
    dir = parent;
  }
  return dir;
}

export const goldenDir = path.resolve(repoRoot(), '..', 'shared', 'reference', 'kagent-golden');

export interface GoldenCase {
  name: string;
  input: unknown;
  expected: { agentCard: unknown; config: unknown; manifest: unknown[] };
}

export function goldenCases(): GoldenCase[] {
  return readdirSync(path.join(goldenDir, 'inputs'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const name = file.replace(/\.yaml$/, '');
      return {
        name,
        input: parse(readFileSync(path.join(goldenDir, 'inputs', file), 'utf8')) as unknown,
        expected: JSON.parse(readFileSync(path.join(goldenDir, 'outputs', `${name}.json`), 'utf8')) as GoldenCase['expected'],
      };
    });
}

export const goldenInputPath = (name: string): string => path.join(goldenDir, 'inputs', `${name}.yaml`);
