import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { XdsError } from '../errors.js';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from './wire-types.js';

/** `envoy.service.discovery.v3.AggregatedDiscoveryService`, loaded from envoy's own protos. */
export interface AdsDefinition {
  service: ServiceDefinition;
  delta: MethodDefinition<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;
}

export const ADS_SERVICE_NAME = 'envoy.service.discovery.v3.AggregatedDiscoveryService';
export const DELTA_ADS_PATH = `/${ADS_SERVICE_NAME}/DeltaAggregatedResources`;

/**
 * Loads the ADS service from the envoy protos that `@grpc/grpc-js-xds` ships (envoy-api, xds,
 * googleapis, protoc-gen-validate), so that the discovery messages are never hand-copied.
 * Takes about 100 ms; load once per server or client.
 */
export function loadAdsDefinition(): AdsDefinition {
  try {
    const require = createRequire(import.meta.url);
    const root = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
    const pkg = loadSync('envoy/service/discovery/v3/ads.proto', {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
      includeDirs: ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(root, d)),
    });
    const service = pkg[ADS_SERVICE_NAME] as ServiceDefinition | undefined;
    const delta = service?.['DeltaAggregatedResources'] as
      MethodDefinition<DeltaDiscoveryRequest, DeltaDiscoveryResponse> | undefined;
    if (!service || !delta) throw new Error(`${ADS_SERVICE_NAME} not found in the loaded protos`);
    return { service, delta };
  } catch (err) {
    throw new XdsError('XDS_PROTO_LOAD_FAILED', 'cannot load the envoy ADS protos', { cause: err });
  }
}
