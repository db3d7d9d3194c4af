import type { KubeObject, OwnerReference } from './resource-types.js';

/** The controller owner reference to `owner` (controller: true, blockOwnerDeletion: true). */
export function controllerReference(owner: KubeObject): OwnerReference {
  const { name, uid } = owner.metadata;
  if (!name || !uid) throw new Error(`owner ${owner.kind} has no name or uid yet`);
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name,
    uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Returns `obj` with `owner` set as its controller owner (other owner references kept). */
export function setControllerReference<T extends KubeObject>(obj: T, owner: KubeObject): T {
  const ref = controllerReference(owner);
  const others = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ref.uid && !r.controller);
  return { ...obj, metadata: { ...obj.metadata, ownerReferences: [...others, ref] } };
}

/** The controller owner reference of `obj`, if any. */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** True when `owner` is the controller owner of `obj` (matched by uid). */
export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = controllerOf(obj);
  return ref !== undefined && ref.uid === owner.metadata.uid;
}
