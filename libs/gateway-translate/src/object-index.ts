import type { AgentgatewayBackend, AgentgatewayParameters, AgentgatewayPolicy } from '@agentplane/crds';
import type { Gateway, GatewayClass, HTTPRoute } from '@agentplane/crds/gateway-api';
import type { ConfigMap, Namespace, ReferenceGrant, Secret, Service } from './k8s-types.js';
import { byNsName, metaRef, nsName } from './names.js';
import type { NamespacedName } from './names.js';
import type { TranslateInput } from './translate-input.js';

interface Meta {
  metadata?: { name?: string; namespace?: string };
}

function byKey<T extends Meta>(items: readonly T[] | undefined): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of [...(items ?? [])].sort(byNsName)) map.set(nsName(metaRef(item)), item);
  return map;
}

/** The kind of a reference's source or target, for ReferenceGrant checks. */
export interface GroupKind {
  group: string;
  kind: string;
}

/** Lookups over the input, sorted for deterministic iteration. */
export class ObjectIndex {
  readonly gatewayClasses: ReadonlyMap<string, GatewayClass>;
  readonly gateways: ReadonlyMap<string, Gateway>;
  readonly httpRoutes: ReadonlyMap<string, HTTPRoute>;
  readonly backends: ReadonlyMap<string, AgentgatewayBackend>;
  readonly policies: ReadonlyMap<string, AgentgatewayPolicy>;
  readonly parameters: ReadonlyMap<string, AgentgatewayParameters>;
  readonly services: ReadonlyMap<string, Service>;
  readonly secrets: ReadonlyMap<string, Secret>;
  readonly configMaps: ReadonlyMap<string, ConfigMap>;
  readonly namespaces: ReadonlyMap<string, Namespace>;
  readonly #grants: readonly ReferenceGrant[];

  constructor(input: TranslateInput) {
    const classes = new Map<string, GatewayClass>();
    for (const c of [...(input.gatewayClasses ?? [])].sort((a, b) =>
      (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1,
    ))
      classes.set(c.metadata?.name ?? '', c);
    this.gatewayClasses = classes;
    this.gateways = byKey(input.gateways);
    this.httpRoutes = byKey(input.httpRoutes);
    this.backends = byKey(input.backends);
    this.policies = byKey(input.policies);
    this.parameters = byKey(input.parameters);
    this.services = byKey(input.services);
    this.secrets = byKey(input.secrets);
    this.configMaps = byKey(input.configMaps);
    const namespaces = new Map<string, Namespace>();
    for (const n of input.namespaces ?? []) namespaces.set(n.metadata?.name ?? '', n);
    this.namespaces = namespaces;
    this.#grants = [...(input.referenceGrants ?? [])].sort(byNsName);
  }

  namespaceLabels(namespace: string): Record<string, string> {
    return { 'kubernetes.io/metadata.name': namespace, ...this.namespaces.get(namespace)?.metadata?.labels };
  }

  service(ref: NamespacedName): Service | undefined {
    return this.services.get(nsName(ref));
  }

  secret(ref: NamespacedName): Secret | undefined {
    return this.secrets.get(nsName(ref));
  }

  /**
   * Whether an object of `from` kind in `fromNamespace` may refer to `to` (kind, namespace, name).
   * Same-namespace references are always allowed; others need a ReferenceGrant in the target's
   * namespace.
   */
  referenceAllowed(from: GroupKind, fromNamespace: string, to: GroupKind, target: NamespacedName): boolean {
    if (fromNamespace === target.namespace) return true;
    return this.#grants.some(
      (g) =>
        (g.metadata?.namespace ?? 'default') === target.namespace &&
        g.spec.from.some(
          (f) => f.group === from.group && f.kind === from.kind && f.namespace === fromNamespace,
        ) &&
        g.spec.to.some(
          (t) =>
            t.group === to.group &&
            t.kind === to.kind &&
            (t.name === undefined || t.name === '' || t.name === target.name),
        ),
    );
  }
}
