import { collectDefaultMetrics, Registry } from 'prom-client';

export interface CreateMetricsRegistryOptions {
  /** Register prom-client's default collectors (`process_*`, `nodejs_*`). Default false. */
  defaultMetrics?: boolean;
  /** Prefix for the default collectors' metric names. Default none (so `process_*`, `nodejs_*`). */
  prefix?: string;
  /** Labels added to every metric of this registry. */
  labels?: Record<string, string>;
}

/**
 * A fresh prom-client registry, never the global one, so that two components (or two tests) in
 * one process do not share metric state.
 */
export function createMetricsRegistry(options: CreateMetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.labels) registry.setDefaultLabels(options.labels);
  if (options.defaultMetrics) {
    collectDefaultMetrics({ register: registry, ...(options.prefix ? { prefix: options.prefix } : {}) });
  }
  return registry;
}
