// Seam for logging and metrics. @agentplane/telemetry is meant to provide these factories; until
// it does, the gateway builds them here from pino and prom-client directly.
import { pino, type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';

export function createGatewayLogger(opts: { level: string; json: boolean }): Logger {
  return pino({
    name: 'gateway',
    level: opts.level,
    redact: {
      paths: ['*.authorization', '*.sessionKey', '*.apiKey', 'headers.authorization'],
      censor: '<redacted>',
    },
    ...(opts.json ? {} : { formatters: { level: (label) => ({ level: label }) } }),
  });
}

export function createGatewayRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
