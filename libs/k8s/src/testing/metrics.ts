import type { Registry } from '@agentplane/telemetry';

/** Sums the samples of `name` whose labels match `labels` (all given labels equal). */
export async function metricSum(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const data = await metric.get();
  return data.values
    .filter((v) => {
      const sample = (v as { metricName?: string }).metricName;
      return sample === undefined || sample === name || sample === `${name}_count`;
    })
    .filter((v) =>
      Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want),
    )
    .reduce((sum, v) => sum + v.value, 0);
}

/** Requests that change something (POST, PUT, PATCH, DELETE) counted in rest_client_requests_total. */
export async function writeRequests(registry: Registry): Promise<number> {
  let total = 0;
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'])
    total += await metricSum(registry, 'rest_client_requests_total', { method });
  return total;
}
