import type { DescMessage } from '@bufbuild/protobuf';
import { BackendSchema } from './gen/agentplane/xds/v1/backend_pb.js';
import { BindSchema } from './gen/agentplane/xds/v1/bind_pb.js';
import { ListenerSchema } from './gen/agentplane/xds/v1/listener_pb.js';
import { PolicySchema } from './gen/agentplane/xds/v1/policy_pb.js';
import { RouteSchema } from './gen/agentplane/xds/v1/route_pb.js';

const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** The type URL of a message schema, e.g. `type.googleapis.com/agentplane.xds.v1.Route`. */
export function typeUrlOf(schema: DescMessage): string {
  return TYPE_URL_PREFIX + schema.typeName;
}

/** Type URLs of the resource types the gateway-controller serves. */
export const TypeUrl = {
  Bind: typeUrlOf(BindSchema),
  Listener: typeUrlOf(ListenerSchema),
  Route: typeUrlOf(RouteSchema),
  Backend: typeUrlOf(BackendSchema),
  Policy: typeUrlOf(PolicySchema),
} as const;

/** Maps type URLs to the message schemas used to encode and decode them. */
export type ResourceTypeRegistry = ReadonlyMap<string, DescMessage>;

/**
 * The registry of agentplane's resource types, in the order a gateway applies them (parents before
 * children): Bind, Listener, Backend, Policy, Route.
 */
export function agentplaneResourceTypes(): ResourceTypeRegistry {
  return new Map<string, DescMessage>([
    [TypeUrl.Bind, BindSchema],
    [TypeUrl.Listener, ListenerSchema],
    [TypeUrl.Backend, BackendSchema],
    [TypeUrl.Policy, PolicySchema],
    [TypeUrl.Route, RouteSchema],
  ]);
}
