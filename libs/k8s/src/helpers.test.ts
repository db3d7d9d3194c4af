import { describe, expect, it } from 'vitest';
import { mergeConditions, setCondition } from './conditions.js';
import { containsDesired, isUpToDate, statusUpToDate } from './object-compare.js';
import { controllerReference, isControlledBy, setControllerReference } from './owner-references.js';
import type { KubeObject } from './resource-types.js';
import { objectKey, parseObjectKey } from './resource-types.js';
import { canonicalJson, stableHash } from './stable-hash.js';

const owner: KubeObject = {
  apiVersion: 'kagent.dev/v1alpha2',
  kind: 'Agent',
  metadata: { name: 'a', namespace: 'n', uid: 'u1' },
};

describe('helpers', () => {
  it('hashes independent of key order and sensitive to any change', () => {
    expect(stableHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(
      stableHash({ b: { d: 'x', c: [1, 2] }, a: 1 }),
    );
    expect(stableHash({ a: 1 })).not.toBe(stableHash({ a: 2 }));
    expect(stableHash({ a: [1, 2] })).not.toBe(stableHash({ a: [2, 1] }));
    expect(canonicalJson({ b: undefined, a: null })).toBe('{"a":null}');
    expect(stableHash('x', 8)).toHaveLength(8);
  });

  it('sets conditions, changing lastTransitionTime only when the status changes', () => {
    let t = 0;
    const now = (): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, t));
    const one = setCondition(
      undefined,
      { type: 'Ready', status: 'False', reason: 'Pending', message: 'm', observedGeneration: 1 },
      now,
    );
    t = 10;
    const same = setCondition(
      one,
      { type: 'Ready', status: 'False', reason: 'Still', message: 'm2', observedGeneration: 2 },
      now,
    );
    expect(same[0]).toEqual({
      type: 'Ready',
      status: 'False',
      reason: 'Still',
      message: 'm2',
      observedGeneration: 2,
      lastTransitionTime: '2026-01-01T00:00:00Z',
    });
    t = 20;
    const flipped = mergeConditions(
      same,
      [
        { type: 'Accepted', status: 'True', reason: 'Valid', message: '' },
        { type: 'Ready', status: 'True', reason: 'Available', message: '' },
      ],
      now,
    );
    expect(flipped.map((c) => [c.type, c.lastTransitionTime])).toEqual([
      ['Ready', '2026-01-01T00:00:20Z'],
      ['Accepted', '2026-01-01T00:00:20Z'],
    ]);
  });

  it('sets controller owner references', () => {
    const child = setControllerReference<KubeObject>(
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } },
      owner,
    );
    expect(child.metadata.ownerReferences).toEqual([controllerReference(owner)]);
    expect(controllerReference(owner)).toMatchObject({
      controller: true,
      blockOwnerDeletion: true,
      uid: 'u1',
    });
    expect(isControlledBy(child, owner)).toBe(true);
    expect(isControlledBy(child, { ...owner, metadata: { ...owner.metadata, uid: 'other' } })).toBe(false);
  });

  it('compares desired against actual, ignoring fields the server added', () => {
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', labels: { a: 'b' } },
      spec: { ports: [{ port: 80 }] },
    };
    const actual: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', uid: 'x', resourceVersion: '5', labels: { a: 'b', extra: 'y' } },
      spec: { ports: [{ port: 80, protocol: 'TCP' }], clusterIP: '10.0.0.1' },
      status: {},
    };
    expect(isUpToDate(actual, desired)).toBe(true);
    expect(isUpToDate(actual, { ...desired, spec: { ports: [{ port: 81 }] } })).toBe(false);
    expect(isUpToDate(actual, { ...desired, spec: { ports: [{ port: 80 }, { port: 81 }] } })).toBe(false);
    expect(isUpToDate(undefined, desired)).toBe(false);
    expect(containsDesired({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(statusUpToDate(actual, {})).toBe(true);
    expect(statusUpToDate({ ...actual, status: { x: [1] } }, { x: [1] })).toBe(true);
    expect(statusUpToDate({ ...actual, status: { x: [1] } }, { x: [2] })).toBe(false);
  });

  it('round-trips object keys', () => {
    expect(parseObjectKey(objectKey({ kind: 'Agent', namespace: '', name: 'a/b' }))).toEqual({
      kind: 'Agent',
      namespace: '',
      name: 'a/b',
    });
  });
});
