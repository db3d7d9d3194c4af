import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The values filled into the sample manifests of deploy/local. */
export interface SampleValues {
  node: string;
  serverEverything: string;
  openaiBaseUrl: string;
  openaiApiKey: string;
  model: string;
}

/** Replaces every `{{key}}` with its value (YAML-quoted templates keep the result valid). */
export function fillTemplate(text: string, values: SampleValues): string {
  return text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => {
    const value = (values as unknown as Record<string, string | undefined>)[key];
    if (value === undefined) throw new Error(`unknown template value ${whole}`);
    return value.replace(/'/g, "''");
  });
}

/** The folder, inside the manifests folder, that holds the filled-in samples. */
export const SAMPLE_FOLDER = 'sample';

/**
 * Writes the sample manifests (the `.yaml` templates of `sampleDir`, filled in) into
 * `<manifestsDir>/sample/`, replacing what an earlier run wrote there (the values change per
 * run). Everything else in `manifestsDir` (the user's own files, and what the controller's API
 * wrote there) is kept. Returns the files written, relative to `manifestsDir`.
 */
export async function writeSampleManifests(
  sampleDir: string,
  manifestsDir: string,
  values: SampleValues,
): Promise<string[]> {
  const target = join(manifestsDir, SAMPLE_FOLDER);
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  const written: string[] = [];
  for (const file of (await readdir(sampleDir)).sort()) {
    if (!['.yaml', '.yml'].includes(extname(file))) continue;
    const text = fillTemplate(await readFile(join(sampleDir, file), 'utf8'), values);
    await writeFile(join(target, file), text, { mode: 0o600 });
    written.push(join(SAMPLE_FOLDER, file));
  }
  return written;
}

/** The `namespace/name` of every Agent in `files` (relative to `dir`), in file order. */
export async function agentRefs(dir: string, files: readonly string[]): Promise<string[]> {
  const refs: string[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(join(dir, file), 'utf8'))) {
      const obj = doc.toJS() as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
      if (obj?.kind !== 'Agent' || typeof obj.metadata?.name !== 'string') continue;
      const namespace = typeof obj.metadata.namespace === 'string' ? obj.metadata.namespace : 'default';
      refs.push(`${namespace}/${obj.metadata.name}`);
    }
  }
  return refs;
}

/** The one-line example that invokes an agent over A2A (JSON-RPC `message/send`). */
export function curlExample(a2aUrl: string, text: string): string {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'message/send',
    params: { message: { role: 'user', messageId: 'm1', parts: [{ kind: 'text', text }] } },
  });
  return `curl -s ${a2aUrl} -H 'content-type: application/json' -d '${body}'`;
}
