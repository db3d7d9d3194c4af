// Shapes of envoy's discovery messages as @grpc/proto-loader decodes and encodes them
// (keepCase, longs as strings, enums as strings, defaults, oneofs). Only the fields we use.

export interface WireAny {
  type_url: string;
  value: Uint8Array;
}

export interface WireStatus {
  code: number;
  message: string;
}

/**
 * google.protobuf.Value as proto-loader represents it (oneof `kind`). protobufjs defines the
 * well-known types itself, with camelCase field names even under keepCase.
 */
export interface WireValue {
  kind?: string;
  nullValue?: string;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: WireStruct;
  listValue?: { values: WireValue[] };
}

export interface WireStruct {
  fields: Record<string, WireValue>;
}

/** envoy.config.core.v3.Node (subset). */
export interface WireNode {
  id: string;
  cluster: string;
  metadata: WireStruct | null;
  user_agent_name?: string;
}

export interface WireResource {
  name: string;
  version: string;
  resource: WireAny | null;
}

export interface DeltaDiscoveryRequest {
  node: WireNode | null;
  type_url: string;
  resource_names_subscribe: string[];
  resource_names_unsubscribe: string[];
  initial_resource_versions: Record<string, string>;
  response_nonce: string;
  error_detail: WireStatus | null;
}

export interface DeltaDiscoveryResponse {
  system_version_info: string;
  resources: WireResource[];
  type_url: string;
  removed_resources: string[];
  nonce: string;
}

/** What a sender may leave out of a request (proto-loader fills the defaults when encoding). */
export type DeltaDiscoveryRequestInit = Partial<Omit<DeltaDiscoveryRequest, 'node'>> & {
  type_url: string;
  node?: Partial<WireNode> | null;
};
