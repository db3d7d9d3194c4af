// A gateway started in the test's own process from a config file: ops servers on free ports,
// listeners on 127.0.0.1, the file not watched. Logs are dropped, or kept in `logs` when given.
import { Writable } from 'node:stream';
import { createLogger } from '@agentplane/telemetry/logger';
import { createMetricsRegistry } from '@agentplane/telemetry/metrics-registry';
import { parseAppConfig, type AppConfig } from '../config.js';
import { startGateway, type RunningGateway } from '../gateway.js';

export async function startGatewayFromFile(
  file: string,
  options: { logs?: string[] } = {},
): Promise<RunningGateway> {
  const app = parseAppConfig(['-f', file], {
    ADMIN_ADDR: '127.0.0.1:0',
    STATS_ADDR: '127.0.0.1:0',
    READINESS_ADDR: '127.0.0.1:0',
    LISTEN_HOST: '127.0.0.1',
  }) as AppConfig;
  const { logs } = options;
  const logger = logs
    ? createLogger({
        name: 'gateway',
        destination: new Writable({
          write(chunk: Buffer, _encoding, done) {
            logs.push(chunk.toString());
            done();
          },
        }),
      })
    : createLogger({ name: 'gateway', level: 'silent' });
  return startGateway({ app, logger, registry: createMetricsRegistry(), watch: false });
}
