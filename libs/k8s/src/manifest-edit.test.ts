import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ManifestError } from './errors.js';
import { appendManifest, editManifest } from './manifest-edit.js';
import type { KubeObject } from './resource-types.js';

const cm = (name: string, value: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data: { value },
});
const named =
  (name: string) =>
  (o: KubeObject): boolean =>
    o.metadata?.name === name;
const docs = (text: string): unknown[] => parseAllDocuments(text).map((d) => d.toJS() as unknown);

describe('manifest edits', () => {
  it('replaces and removes items of a List document, leaving the documents around it as written', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: first}   # kept as is',
      'data: {value: "1"}',
      '---',
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {value: "a"}}',
      '  - {apiVersion: v1, kind: ConfigMap, metadata: {name: b}, data: {value: "b"}}',
      '',
    ].join('\n');
    const replaced = editManifest('f.yaml', text, 'yaml', named('b'), () => cm('b', 'B'));
    expect(replaced).toMatchObject({ found: true, remaining: 3 });
    expect(replaced.text.split('---')[0]).toBe(text.split('---')[0]);
    expect(docs(replaced.text)[1]).toMatchObject({ items: [cm('a', 'a'), cm('b', 'B')] });

    const removed = editManifest('f.yaml', replaced.text, 'yaml', named('a'), () => undefined);
    expect(removed.remaining).toBe(2);
    expect(docs(removed.text)[1]).toMatchObject({ items: [cm('b', 'B')] });

    const missing = editManifest('f.yaml', text, 'yaml', named('zzz'), () => undefined);
    expect(missing).toEqual({ text, found: false, remaining: 3 });
  });

  it('removing the last object leaves nothing to write', () => {
    const text = '# only one\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n';
    expect(editManifest('f.yaml', text, 'yaml', named('a'), () => undefined)).toEqual({
      text: '',
      found: true,
      remaining: 0,
    });
  });

  it('edits JSON files, and appending to one makes it a List', () => {
    const single = JSON.stringify(cm('a', '1'));
    const edited = editManifest('f.json', single, 'json', named('a'), () => cm('a', '2'));
    expect(JSON.parse(edited.text)).toEqual(cm('a', '2'));
    const appended = appendManifest('f.json', edited.text, 'json', cm('b', '3'));
    expect(JSON.parse(appended)).toMatchObject({ kind: 'List', items: [cm('a', '2'), cm('b', '3')] });
    const removed = editManifest('f.json', appended, 'json', named('a'), () => undefined);
    expect(JSON.parse(removed.text)).toMatchObject({ items: [cm('b', '3')] });
  });

  it('appends YAML documents and reports a file that does not parse', () => {
    const appended = appendManifest(
      'f.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}',
      'yaml',
      cm('b', 'x'),
    );
    expect(docs(appended)).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } },
      cm('b', 'x'),
    ]);
    expect(() => editManifest('bad.yaml', 'kind: [', 'yaml', named('a'), () => undefined)).toThrow(
      ManifestError,
    );
    expect(() => editManifest('bad.json', '{', 'json', named('a'), () => undefined)).toThrow(/bad\.json/);
  });
});
