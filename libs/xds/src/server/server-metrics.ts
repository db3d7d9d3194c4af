import { Counter, Gauge } from '@agentplane/telemetry';
import type { Registry } from '@agentplane/telemetry';

/** One response written to a client. */
export interface XdsPushInfo {
  clientId: string;
  typeUrl: string;
  nonce: string;
  resourceNames: readonly string[];
  removedResources: readonly string[];
  /** Encoded size of the DeltaDiscoveryResponse. */
  bytes: number;
}

/** Hooks the server calls; every one optional. */
export interface XdsServerMetrics {
  clientConnected?(clientId: string): void;
  clientDisconnected?(clientId: string): void;
  pushed?(info: XdsPushInfo): void;
  acked?(clientId: string, typeUrl: string, nonce: string): void;
  nacked?(clientId: string, typeUrl: string, nonce: string, message: string): void;
  staleNonce?(clientId: string, typeUrl: string, nonce: string): void;
}

function shortType(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}

/** Prometheus metrics for the hooks, registered on `registry`. */
export function createXdsServerPromMetrics(registry: Registry): XdsServerMetrics {
  const registers = [registry];
  const clients = new Gauge({
    name: 'agentplane_xds_connected_clients',
    help: 'Connected xDS clients.',
    registers,
  });
  const pushes = new Counter({
    name: 'agentplane_xds_pushes_total',
    help: 'DeltaDiscoveryResponses sent.',
    labelNames: ['type'],
    registers,
  });
  const resources = new Counter({
    name: 'agentplane_xds_pushed_resources_total',
    help: 'Resources sent (updated plus removed).',
    labelNames: ['type'],
    registers,
  });
  const bytes = new Counter({
    name: 'agentplane_xds_pushed_bytes_total',
    help: 'Bytes of DeltaDiscoveryResponses sent.',
    labelNames: ['type'],
    registers,
  });
  const acks = new Counter({
    name: 'agentplane_xds_acks_total',
    help: 'ACKs received.',
    labelNames: ['type'],
    registers,
  });
  const nacks = new Counter({
    name: 'agentplane_xds_nacks_total',
    help: 'NACKs received.',
    labelNames: ['type'],
    registers,
  });
  const stale = new Counter({
    name: 'agentplane_xds_stale_nonces_total',
    help: 'Requests whose response_nonce matched no outstanding response.',
    labelNames: ['type'],
    registers,
  });
  return {
    clientConnected: () => clients.inc(),
    clientDisconnected: () => clients.dec(),
    pushed: (info) => {
      const type = shortType(info.typeUrl);
      pushes.inc({ type });
      resources.inc({ type }, info.resourceNames.length + info.removedResources.length);
      bytes.inc({ type }, info.bytes);
    },
    acked: (_c, typeUrl) => acks.inc({ type: shortType(typeUrl) }),
    nacked: (_c, typeUrl) => nacks.inc({ type: shortType(typeUrl) }),
    staleNonce: (_c, typeUrl) => stale.inc({ type: shortType(typeUrl) }),
  };
}
