import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderCrdFiles } from './render-crds.js';

/** The outcome of comparing a directory with the generated CRDs. */
export interface CrdDrift {
  /** Files whose content differs from what would be generated. */
  changed: string[];
  /** Files that would be generated but do not exist. */
  missing: string[];
  /** Generated-looking files in the directory that would no longer be generated. */
  extra: string[];
}

const CRD_FILE = /^[a-z0-9.-]+_[a-z0-9]+\.yaml$/;

async function existing(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => CRD_FILE.test(f));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Writes every CRD into `dir` (created if needed); returns the file names written. */
export async function writeCrds(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = renderCrdFiles();
  for (const [name, text] of files) await writeFile(path.join(dir, name), text);
  return [...files.keys()];
}

/** Compares `dir` with what would be generated, without writing. */
export async function checkCrds(dir: string): Promise<CrdDrift> {
  const files = renderCrdFiles();
  const present = await existing(dir);
  const drift: CrdDrift = { changed: [], missing: [], extra: [] };
  for (const [name, text] of files) {
    if (!present.includes(name)) {
      drift.missing.push(name);
      continue;
    }
    const current = await readFile(path.join(dir, name), 'utf8');
    if (current !== text) drift.changed.push(name);
  }
  drift.extra = present.filter((f) => !files.has(f));
  return drift;
}

/** Whether a drift report has any difference. */
export const hasDrift = (d: CrdDrift): boolean => d.changed.length + d.missing.length + d.extra.length > 0;
