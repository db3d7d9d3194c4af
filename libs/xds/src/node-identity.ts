import type { WireNode, WireStruct } from './ads/wire-types.js';

/** Keys of `node.metadata` that name the gateway a client serves. */
export const NodeMetadataKey = {
  GatewayName: 'gateway_name',
  GatewayNamespace: 'gateway_namespace',
  PodName: 'pod_name',
} as const;

/** A gateway (Gateway API object) a client serves. */
export interface GatewayRef {
  namespace: string;
  name: string;
}

/** What a gateway says about itself in the first request of a stream. */
export interface GatewayNodeInfo {
  /** node.id; unique per replica, e.g. the pod name. */
  id: string;
  gateway: GatewayRef;
  podName?: string;
  /** Extra string metadata. */
  metadata?: Readonly<Record<string, string>>;
}

/** The key `namespace/name` by which resources are made visible to a gateway. */
export function gatewayKey(gateway: GatewayRef): string {
  return `${gateway.namespace}/${gateway.name}`;
}

/** Builds envoy's Node message for a gateway. */
export function toWireNode(info: GatewayNodeInfo): WireNode {
  const fields: WireStruct['fields'] = {};
  for (const [k, v] of Object.entries(info.metadata ?? {})) fields[k] = { stringValue: v };
  fields[NodeMetadataKey.GatewayName] = { stringValue: info.gateway.name };
  fields[NodeMetadataKey.GatewayNamespace] = { stringValue: info.gateway.namespace };
  if (info.podName !== undefined) fields[NodeMetadataKey.PodName] = { stringValue: info.podName };
  return { id: info.id, cluster: gatewayKey(info.gateway), metadata: { fields } };
}

/** A string field of node.metadata, or undefined. */
export function nodeMetadataString(node: WireNode | null | undefined, key: string): string | undefined {
  const value = node?.metadata?.fields[key];
  return typeof value?.stringValue === 'string' && value.stringValue !== '' ? value.stringValue : undefined;
}

/** The gateway named by a node's metadata, or undefined when it names none. */
export function gatewayOfNode(node: WireNode | null | undefined): GatewayRef | undefined {
  const name = nodeMetadataString(node, NodeMetadataKey.GatewayName);
  const namespace = nodeMetadataString(node, NodeMetadataKey.GatewayNamespace);
  return name && namespace ? { name, namespace } : undefined;
}
