import { describe, expect, it } from 'vitest';
import { XdsInvalidResourceError, XdsUnknownTypeError } from '../errors.js';
import { sampleBind, sampleRoute } from '../testing/fixtures.js';
import { TypeUrl } from '../type-urls.js';
import { XdsSnapshotCache } from './snapshot-cache.js';
import type { CacheChange } from './snapshot-cache.js';

const gw = { namespace: 'ns', name: 'gw' };

describe('XdsSnapshotCache', () => {
  it('reports only what changed, versions by content, and bumps the type version', () => {
    const cache = new XdsSnapshotCache();
    const changes: CacheChange[] = [];
    cache.onChange((c) => changes.push(c));
    cache.setResources(TypeUrl.Route, [
      ['ns/a', { message: sampleRoute(gw, 'a', 'b1') }],
      ['ns/b', { message: sampleRoute(gw, 'b', 'b1') }],
    ]);
    const v = cache.get(TypeUrl.Route, 'ns/a')?.version;
    expect([...(changes[0]?.names ?? [])]).toEqual(['ns/a', 'ns/b']);
    // Same content: no change, same version, no notification.
    cache.setResources(TypeUrl.Route, [
      ['ns/a', { message: sampleRoute(gw, 'a', 'b1') }],
      ['ns/b', { message: sampleRoute(gw, 'b', 'b1') }],
    ]);
    expect(changes).toHaveLength(1);
    expect(cache.get(TypeUrl.Route, 'ns/a')?.version).toBe(v);
    // A changed, b gone, a visibility change counts as a change.
    const changed = cache.setResources(TypeUrl.Route, [['ns/a', { message: sampleRoute(gw, 'a', 'b2') }]]);
    expect([...changed].sort()).toEqual(['ns/a', 'ns/b']);
    expect(cache.get(TypeUrl.Route, 'ns/a')?.version).not.toBe(v);
    expect(
      cache.updateResources(TypeUrl.Route, {
        set: [['ns/a', { message: sampleRoute(gw, 'a', 'b2'), gateways: ['ns/gw'] }]],
      }).size,
    ).toBe(1);
    expect(cache.typeVersion(TypeUrl.Route)).toBe(3);
    expect(cache.updateResources(TypeUrl.Route, { remove: ['ns/zzz'] }).size).toBe(0);
  });

  it('keeps an unchanged entry as it is, and reports a change of visibility alone', () => {
    const cache = new XdsSnapshotCache();
    const route = (gateways?: string[]) => ({
      message: sampleRoute(gw, 'a', 'b1'),
      ...(gateways ? { gateways } : {}),
    });
    cache.setResources(TypeUrl.Route, [['ns/a', route(['ns/gw', 'ns/gw2'])]]);
    const entry = cache.get(TypeUrl.Route, 'ns/a');
    // Same bytes, same gateways in another order: the very same entry, nothing reported.
    expect(cache.setResources(TypeUrl.Route, [['ns/a', route(['ns/gw2', 'ns/gw'])]]).size).toBe(0);
    expect(cache.get(TypeUrl.Route, 'ns/a')).toBe(entry);
    // Same bytes, other gateways (same count), then visible to every gateway: both are changes.
    expect([...cache.setResources(TypeUrl.Route, [['ns/a', route(['ns/gw', 'ns/gw3'])]])]).toEqual(['ns/a']);
    expect([...(cache.get(TypeUrl.Route, 'ns/a')?.gateways ?? [])]).toEqual(['ns/gw', 'ns/gw3']);
    expect([...cache.updateResources(TypeUrl.Route, { set: [['ns/a', route()]] })]).toEqual(['ns/a']);
    expect(cache.get(TypeUrl.Route, 'ns/a')?.gateways).toBeUndefined();
    expect(cache.get(TypeUrl.Route, 'ns/a')?.version).toBe(entry?.version);
    expect(cache.typeVersion(TypeUrl.Route)).toBe(3);
  });

  it('rejects unknown types, wrong message types, and a name given twice', () => {
    const cache = new XdsSnapshotCache();
    expect(() => cache.setResources('type.googleapis.com/x.Y', [])).toThrow(XdsUnknownTypeError);
    expect(() => cache.setResources(TypeUrl.Route, [['b', { message: sampleBind(gw, 80) }]])).toThrow(
      XdsInvalidResourceError,
    );
    const r = { message: sampleRoute(gw, 'a', 'b') };
    expect(() =>
      cache.setResources(TypeUrl.Route, [
        ['a', r],
        ['a', r],
      ]),
    ).toThrow(/given twice/);
  });
});
