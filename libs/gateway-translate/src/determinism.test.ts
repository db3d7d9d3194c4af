import { toBinary } from '@bufbuild/protobuf';
import { XdsSnapshotCache } from '@agentplane/xds';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { toCacheEntries } from './cache-entries.js';
import { translateGateways } from './translate-gateways.js';
import type { TranslateOutput } from './translate-output.js';
import { agentplaneSchemas } from './testdata/schemas.js';
import { inputFromYaml, readCaseText } from './testdata/load-case.js';

const NOW = new Date('2026-01-02T03:04:05Z');

/** Every resource's encoded bytes (hex) by type and key. */
function encoded(out: TranslateOutput): Map<string, string> {
  const bytes = new Map<string, string>();
  for (const { typeUrl, entries } of toCacheEntries(out.resources)) {
    const schema = agentplaneSchemas.get(typeUrl);
    if (!schema) throw new Error(typeUrl);
    for (const [key, { message }] of entries)
      bytes.set(`${typeUrl} ${key}`, Buffer.from(toBinary(schema, message)).toString('hex'));
  }
  return bytes;
}

const allCases = [
  'mcp-static',
  'service-backend',
  'cross-namespace',
  'policy-mcp-authorization',
  'two-gateways',
];

describe('determinism', () => {
  it.each(allCases)('%s: the same input gives identical bytes, in any object order', (name) => {
    const text = readCaseText(name);
    const first = encoded(translateGateways(inputFromYaml(text), { now: NOW }));
    const again = encoded(translateGateways(inputFromYaml(text), { now: NOW }));
    const docs = parseAllDocuments(text).map((d) => stringify(d.toJS()));
    const reversed = encoded(translateGateways(inputFromYaml(docs.reverse().join('---\n')), { now: NOW }));
    expect(first.size).toBeGreaterThan(0);
    expect(again).toEqual(first);
    expect(reversed).toEqual(first);
  });

  it('changing one route changes only that route’s resources', () => {
    const text = readCaseText('two-gateways');
    const before = encoded(translateGateways(inputFromYaml(text), { now: NOW }));
    const edited = text.replace(
      'matches: [{ path: { type: PathPrefix, value: /agent } }]',
      'matches: [{ path: { type: Exact, value: /agent/v2 } }]',
    );
    expect(edited).not.toBe(text);
    const after = encoded(translateGateways(inputFromYaml(edited), { now: NOW }));
    const changed = [...after].filter(([k, v]) => before.get(k) !== v).map(([k]) => k.split(' ')[1]);
    expect(changed).toEqual(['route/default/route-b/1@default/gw-b/http']);
    expect([...before.keys()]).toEqual([...after.keys()]);
  });

  it('feeds the xDS snapshot cache, which sees nothing new on an identical re-translation', () => {
    const cache = new XdsSnapshotCache();
    const text = readCaseText('policy-mcp-authorization');
    let total = 0;
    for (const { typeUrl, entries } of toCacheEntries(
      translateGateways(inputFromYaml(text), { now: NOW }).resources,
    ))
      total += cache.setResources(typeUrl, entries).size;
    expect(total).toBeGreaterThan(5);
    let changed = 0;
    const later = new Date('2026-02-01T00:00:00Z');
    for (const { typeUrl, entries } of toCacheEntries(
      translateGateways(inputFromYaml(text), { now: later }).resources,
    ))
      changed += cache.setResources(typeUrl, entries).size;
    expect(changed).toBe(0);
  });

  it('keeps lastTransitionTime of conditions whose status did not change', () => {
    const input = inputFromYaml(readCaseText('mcp-static'));
    const first = translateGateways(input, { now: NOW });
    const route = input.httpRoutes?.[0];
    const status = first.statuses.httpRoutes[0]?.status;
    if (!route || !status) throw new Error('no route');
    const withStatus = { ...input, httpRoutes: [{ ...route, status }] };
    const second = translateGateways(withStatus, { now: new Date('2026-03-01T00:00:00Z') });
    expect(second.statuses.httpRoutes[0]?.status).toEqual(status);
    // A route whose backend disappears flips ResolvedRefs, stamped with the new time.
    const third = translateGateways(
      { ...withStatus, backends: [] },
      { now: new Date('2026-03-01T00:00:00Z') },
    );
    const conditions = third.statuses.httpRoutes[0]?.status.parents[0]?.conditions ?? [];
    expect(conditions.map((c) => [c.type, c.status, c.lastTransitionTime])).toEqual([
      ['Accepted', 'True', '2026-01-02T03:04:05Z'],
      ['ResolvedRefs', 'False', '2026-03-01T00:00:00Z'],
    ]);
  });

  it('keeps other controllers’ parent statuses on a route', () => {
    const input = inputFromYaml(readCaseText('mcp-static'));
    const route = input.httpRoutes?.[0];
    if (!route) throw new Error('no route');
    const foreign = {
      parentRef: { name: 'elsewhere' },
      controllerName: 'example.com/other',
      conditions: [
        {
          type: 'Accepted',
          status: 'True',
          reason: 'Accepted',
          message: '',
          lastTransitionTime: '2025-01-01T00:00:00Z',
        },
      ],
    };
    const out = translateGateways(
      { ...input, httpRoutes: [{ ...route, status: { parents: [foreign] } }] },
      { now: NOW },
    );
    expect(out.statuses.httpRoutes[0]?.status.parents.map((p) => p.controllerName)).toEqual([
      'example.com/other',
      'agentgateway.dev/agentgateway',
    ]);
  });
});
