// Locates the shared reference material (kagent's CRDs and golden inputs) beside the repository.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

function repoRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('repository root not found');
    dir = parent;
  }
  return dir;
}

export const referenceDir = path.resolve(repoRoot(), '..', 'shared', 'reference');

export interface GoldenInput {
  file: string;
  objects: Record<string, unknown>[];
}

/** The golden inputs: `{operation, targetObject, namespace, objects: [...]}` files. */
export function goldenInputs(): GoldenInput[] {
  const dir = path.join(referenceDir, 'kagent-golden', 'inputs');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const doc = parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))[0];
      const data = (doc && !Array.isArray(doc) ? doc.toJS() : {}) as { objects?: Record<string, unknown>[] };
      return { file, objects: data.objects ?? [] };
    });
}

/** An upstream CRD's storage-version `openAPIV3Schema`. */
export function upstreamSchema(fileName: string): Record<string, unknown> {
  const text = readFileSync(path.join(referenceDir, 'crds', fileName), 'utf8');
  const crd = parseAllDocuments(text)[0];
  const obj = (crd && !Array.isArray(crd) ? crd.toJS() : {}) as {
    spec: { versions: { storage: boolean; schema: { openAPIV3Schema: Record<string, unknown> } }[] };
  };
  const version = obj.spec.versions.find((v) => v.storage);
  if (!version) throw new Error(`${fileName}: no storage version`);
  return version.schema.openAPIV3Schema;
}
