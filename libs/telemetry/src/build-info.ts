import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

export interface BuildInfoOptions {
  /** Metric name: `kagent_build_info` for kagent's controllers, `agentgateway_build_info` for the gateway side. */
  name: string;
  /** Release version, e.g. `0.3.1`. */
  version: string;
  /** Source revision the binary was built from. */
  commit: string;
  /** Help text. */
  help?: string;
  /** More constant labels (e.g. `date`). Must not repeat `version` or `commit`. */
  labels?: Record<string, string>;
}

/**
 * Registers a gauge that is always 1 and carries the build's version and commit as labels, the
 * way kagent and agentgateway expose it (`kagent_build_info{version="...",commit="..."} 1`).
 */
export function buildInfoGauge(registry: Registry, options: BuildInfoOptions): Gauge {
  const extra = options.labels ?? {};
  const labels: Record<string, string> = { ...extra, version: options.version, commit: options.commit };
  const gauge = new Gauge({
    name: options.name,
    help: options.help ?? 'Build information: version and commit, value always 1.',
    labelNames: Object.keys(labels),
    registers: [registry],
  });
  gauge.set(labels, 1);
  return gauge;
}
