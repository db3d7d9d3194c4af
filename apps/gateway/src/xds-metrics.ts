// agentgateway_xds_* families, fed by the xDS client's events.
import { Counter, type Registry } from 'prom-client';

export interface XdsClientMetrics {
  readonly terminations: Counter;
  readonly messages: Counter<'type_url'>;
  readonly bytes: Counter<'type_url'>;
}

export function createXdsClientMetrics(registry: Registry): XdsClientMetrics {
  return {
    terminations: new Counter({
      name: 'agentgateway_xds_connection_terminations_total',
      help: 'xDS stream terminations',
      registers: [registry],
    }),
    messages: new Counter({
      name: 'agentgateway_xds_message_total',
      help: 'xDS messages received',
      labelNames: ['type_url'],
      registers: [registry],
    }),
    bytes: new Counter({
      name: 'agentgateway_xds_message_bytes_total',
      help: 'xDS message bytes received',
      labelNames: ['type_url'],
      registers: [registry],
    }),
  };
}
