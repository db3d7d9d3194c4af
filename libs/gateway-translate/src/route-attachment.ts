import type { HTTPRoute, ParentReference } from '@agentplane/crds/gateway-api';
import type { ConditionInit } from './conditions.js';
import { effectiveHostnames } from './hostnames.js';
import { matchesSelector } from './label-selector.js';
import type { ListenerInfo } from './listener-translation.js';
import { GATEWAY_GROUP, metaRef, nsName } from './names.js';
import type { NamespacedName } from './names.js';
import type { ObjectIndex } from './object-index.js';

export interface Attachment {
  readonly listener: ListenerInfo;
  /** The hostnames the route serves on this listener (empty: any). */
  readonly hostnames: readonly string[];
}

/** One parentRef of a route that names a Gateway of this controller. */
export interface ParentAttachment {
  readonly parentRef: ParentReference;
  readonly gateway: NamespacedName;
  readonly attachments: readonly Attachment[];
  readonly accepted: ConditionInit;
}

function allowsNamespace(index: ObjectIndex, listener: ListenerInfo, routeNamespace: string): boolean {
  const from = listener.spec.allowedRoutes?.namespaces?.from ?? 'Same';
  switch (from) {
    case 'All':
      return true;
    case 'Same':
      return routeNamespace === listener.gateway.namespace;
    case 'Selector': {
      const selector = listener.spec.allowedRoutes?.namespaces?.selector;
      return selector !== undefined && matchesSelector(selector, index.namespaceLabels(routeNamespace));
    }
    default:
      return false;
  }
}

/**
 * Attaches an HTTPRoute to the listeners of the Gateways it names. `gateways` holds the listeners of
 * every Gateway of this controller; parentRefs to anything else are left to their controllers.
 */
export function attachRoute(
  index: ObjectIndex,
  route: HTTPRoute,
  gateways: ReadonlyMap<string, readonly ListenerInfo[]>,
): ParentAttachment[] {
  const routeRef = metaRef(route);
  const out: ParentAttachment[] = [];
  for (const parentRef of route.spec.parentRefs ?? []) {
    if ((parentRef.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (parentRef.kind ?? 'Gateway') !== 'Gateway')
      continue;
    const gateway = { namespace: parentRef.namespace ?? routeRef.namespace, name: parentRef.name };
    const listeners = gateways.get(nsName(gateway));
    if (listeners === undefined) continue;
    const named = listeners.filter(
      (l) =>
        (parentRef.sectionName === undefined || parentRef.sectionName === l.spec.name) &&
        (parentRef.port === undefined || parentRef.port === l.spec.port),
    );
    const fail = (reason: string, message: string): ParentAttachment => ({
      parentRef,
      gateway,
      attachments: [],
      accepted: { type: 'Accepted', status: false, reason, message },
    });
    if (named.length === 0) {
      out.push(
        fail('NoMatchingParent', `Gateway ${nsName(gateway)} has no listener matching the sectionName/port`),
      );
      continue;
    }
    const allowed = named.filter(
      (l) =>
        l.valid &&
        l.supportedKinds.some((k) => k.kind === 'HTTPRoute') &&
        allowsNamespace(index, l, routeRef.namespace),
    );
    if (allowed.length === 0) {
      out.push(
        fail(
          'NotAllowedByListeners',
          `no valid listener of Gateway ${nsName(gateway)} allows HTTPRoutes from namespace ${routeRef.namespace}`,
        ),
      );
      continue;
    }
    const attachments: Attachment[] = [];
    for (const l of allowed) {
      const hostnames = effectiveHostnames(l.spec.hostname, route.spec.hostnames);
      if (hostnames !== undefined) attachments.push({ listener: l, hostnames });
    }
    if (attachments.length === 0) {
      out.push(
        fail(
          'NoMatchingListenerHostname',
          `no listener of Gateway ${nsName(gateway)} matches the route's hostnames ${(route.spec.hostnames ?? []).join(', ')}`,
        ),
      );
      continue;
    }
    out.push({
      parentRef,
      gateway,
      attachments,
      accepted: { type: 'Accepted', status: true, reason: 'Accepted', message: 'route accepted' },
    });
  }
  return out;
}
