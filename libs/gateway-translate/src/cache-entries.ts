import type { Message } from '@bufbuild/protobuf';
import { BackendSchema } from '@agentplane/xds/v1/backend';
import { BindSchema } from '@agentplane/xds/v1/bind';
import { ListenerSchema } from '@agentplane/xds/v1/listener';
import { PolicySchema } from '@agentplane/xds/v1/policy';
import { RouteSchema } from '@agentplane/xds/v1/route';
import type { XdsResources } from './translate-output.js';

const typeUrl = (typeName: string): string => `type.googleapis.com/${typeName}`;

/** One type's resources in the shape `XdsSnapshotCache.setResources(typeUrl, entries)` takes. */
export interface CacheTypeEntries {
  readonly typeUrl: string;
  readonly entries: readonly (readonly [string, { message: Message; gateways: readonly string[] }])[];
}

/**
 * The translated resources per type URL, parents first (Bind, Listener, Backend, Policy, Route), ready
 * for `cache.setResources(typeUrl, entries)`.
 */
export function toCacheEntries(resources: XdsResources): CacheTypeEntries[] {
  const of = (list: XdsResources[keyof XdsResources]) =>
    list.map((r) => [r.key, { message: r.message, gateways: r.gateways }] as const);
  return [
    { typeUrl: typeUrl(BindSchema.typeName), entries: of(resources.binds) },
    { typeUrl: typeUrl(ListenerSchema.typeName), entries: of(resources.listeners) },
    { typeUrl: typeUrl(BackendSchema.typeName), entries: of(resources.backends) },
    { typeUrl: typeUrl(PolicySchema.typeName), entries: of(resources.policies) },
    { typeUrl: typeUrl(RouteSchema.typeName), entries: of(resources.routes) },
  ];
}
