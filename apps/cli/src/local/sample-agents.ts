import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

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

/**
 * Writes the sample manifests (the `.yaml` templates of `sampleDir`, filled in) into
 * `manifestsDir`, replacing what an earlier run wrote there.
 */
export async function writeSampleManifests(
  sampleDir: string,
  manifestsDir: string,
  values: SampleValues,
): Promise<string[]> {
  await rm(manifestsDir, { recursive: true, force: true });
  await mkdir(manifestsDir, { recursive: true });
  const written: string[] = [];
  for (const file of (await readdir(sampleDir)).sort()) {
    if (!['.yaml', '.yml'].includes(extname(file))) continue;
    const text = fillTemplate(await readFile(join(sampleDir, file), 'utf8'), values);
    await writeFile(join(manifestsDir, file), text, { mode: 0o600 });
    written.push(file);
  }
  return written;
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
