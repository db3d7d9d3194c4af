// Pure edits of a manifest file's text (YAML, multi-document, or JSON): replace or remove one
// object, or append one, leaving every other document as it was written (text and comments).
import { isMap, isSeq, parseAllDocuments, stringify, type Document } from 'yaml';
import { ManifestError } from './errors.js';
import type { KubeObject } from './resource-types.js';

export type ManifestFormat = 'yaml' | 'json';

/** Options of every YAML text written here: no line folding (prompts stay readable). */
const YAML_OPTIONS = { lineWidth: 0 } as const;

/** What {@link editManifest} returns. */
export interface ManifestEdit {
  /** The new text of the file. */
  text: string;
  /** False when no object matched (the text is unchanged). */
  found: boolean;
  /** Objects left in the file (0: the file can be deleted). */
  remaining: number;
}

/** `object` as the text of a new manifest file. */
export function manifestText(object: KubeObject, format: ManifestFormat): string {
  return format === 'json' ? `${JSON.stringify(object, null, 2)}\n` : stringify(object, YAML_OPTIONS);
}

/**
 * Replaces the first object for which `matches` holds with what `replace` returns for it, or
 * removes it when `replace` returns undefined. Objects may be documents or items of a `...List`
 * document. In YAML only the edited document is written again; the others keep their text.
 *
 * @throws ManifestError when the text does not parse.
 */
export function editManifest(
  file: string,
  text: string,
  format: ManifestFormat,
  matches: (object: KubeObject) => boolean,
  replace: (current: KubeObject) => KubeObject | undefined,
): ManifestEdit {
  return format === 'json' ? editJson(file, text, matches, replace) : editYaml(file, text, matches, replace);
}

/** `text` with `object` added as one more document (JSON: the file becomes a `List`). */
export function appendManifest(
  file: string,
  text: string,
  format: ManifestFormat,
  object: KubeObject,
): string {
  if (text.trim() === '') return manifestText(object, format);
  if (format === 'json') {
    const doc = parseJson(file, text);
    const items = isList(doc) ? [...doc.items, object] : [doc, object];
    return manifestText({ apiVersion: 'v1', kind: 'List', metadata: {}, items }, 'json');
  }
  return `${text}${text.endsWith('\n') ? '' : '\n'}---\n${stringify(object, YAML_OPTIONS)}`;
}

function editYaml(
  file: string,
  text: string,
  matches: (object: KubeObject) => boolean,
  replace: (current: KubeObject) => KubeObject | undefined,
): ManifestEdit {
  const docs = parseAllDocuments(text);
  let found = false;
  let remaining = 0;
  let out = '';
  let regionStart = 0;
  for (const doc of docs) {
    if (doc.errors.length > 0)
      throw new ManifestError(`${file}: ${doc.errors[0]?.message ?? 'invalid YAML'}`, { file });
    // A document's region runs from the end of the previous one, so it holds its `---` marker
    // and the comments before it.
    const region = text.slice(regionStart, doc.range[2]);
    regionStart = doc.range[2];
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) {
      out += region;
      continue;
    }
    if (found) {
      remaining += countObjects(value);
      out += region;
      continue;
    }
    if (isList(value)) {
      const index = value.items.findIndex((item) => matches(item as KubeObject));
      if (index < 0) {
        remaining += value.items.length;
        out += region;
        continue;
      }
      found = true;
      const next = replace(value.items[index] as KubeObject);
      if (next === undefined) doc.deleteIn(['items', index]);
      else doc.setIn(['items', index], doc.createNode(next));
      remaining += value.items.length - (next === undefined ? 1 : 0);
      out += doc.toString(YAML_OPTIONS);
      continue;
    }
    if (!matches(value as KubeObject)) {
      remaining += 1;
      out += region;
      continue;
    }
    found = true;
    const next = replace(value as KubeObject);
    if (next === undefined) continue;
    replaceContents(doc, next);
    remaining += 1;
    out += doc.toString(YAML_OPTIONS);
  }
  out += text.slice(regionStart);
  if (!found) return { text, found, remaining };
  return { text: remaining === 0 ? '' : out, found, remaining };
}

/** New contents for a document, keeping the comment written above the old ones. */
function replaceContents(doc: Document, object: KubeObject): void {
  const node = doc.createNode(object);
  const old = doc.contents;
  if ((isMap(old) || isSeq(old)) && old.commentBefore) node.commentBefore = old.commentBefore;
  doc.contents = node;
}

function editJson(
  file: string,
  text: string,
  matches: (object: KubeObject) => boolean,
  replace: (current: KubeObject) => KubeObject | undefined,
): ManifestEdit {
  const doc = parseJson(file, text);
  const items = isList(doc) ? (doc.items as KubeObject[]) : [doc as KubeObject];
  const index = items.findIndex((item) => matches(item));
  if (index < 0) return { text, found: false, remaining: items.length };
  const next = replace(items[index] as KubeObject);
  const kept =
    next === undefined
      ? items.filter((_, i) => i !== index)
      : items.map((item, i) => (i === index ? next : item));
  if (kept.length === 0) return { text: '', found: true, remaining: 0 };
  const value = isList(doc) ? { ...doc, items: kept } : kept[0];
  return { text: `${JSON.stringify(value, null, 2)}\n`, found: true, remaining: kept.length };
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ManifestError(`${file}: ${(err as Error).message}`, { file, cause: err });
  }
}

function countObjects(value: unknown): number {
  return isList(value) ? value.items.length : 1;
}

export function isList(doc: unknown): doc is { kind: string; items: unknown[] } {
  return (
    typeof doc === 'object' &&
    doc !== null &&
    Array.isArray((doc as { items?: unknown }).items) &&
    typeof (doc as { kind?: unknown }).kind === 'string' &&
    (doc as { kind: string }).kind.endsWith('List')
  );
}
