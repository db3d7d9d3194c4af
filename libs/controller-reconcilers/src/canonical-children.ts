import type { KubeObject } from '@agentplane/k8s';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function withProtocols(ports: unknown): unknown {
  if (!Array.isArray(ports)) return ports;
  return ports.map((p: unknown) =>
    isRecord(p) && p['protocol'] === undefined ? { ...p, protocol: 'TCP' } : p,
  );
}

function canonicalPodSpec(spec: Record<string, unknown>): Record<string, unknown> {
  const fix = (containers: unknown): unknown =>
    Array.isArray(containers)
      ? containers.map((c: unknown) =>
          isRecord(c) && c['ports'] ? { ...c, ports: withProtocols(c['ports']) } : c,
        )
      : containers;
  return {
    ...spec,
    ...(spec['containers'] ? { containers: fix(spec['containers']) } : {}),
    ...(spec['initContainers'] ? { initContainers: fix(spec['initContainers']) } : {}),
  };
}

/**
 * The desired child in the form the server stores it. Secrets: `stringData` as base64 `data`.
 * Ports: writes the port protocol (`TCP`) where the desired object leaves it out: server-side apply
 * needs it, since `protocol` is part of the key of the Service and container port lists. It is
 * the value the server would default anyway, so comparing with the stored object stays exact.
 */
export function canonicalChild(obj: KubeObject): KubeObject {
  if (obj.kind === 'Secret' && isRecord(obj['stringData'])) {
    // Stored as base64 `data`: write it that way so the cached copy compares equal.
    const { stringData, ...rest } = obj;
    const data: Record<string, unknown> = { ...(isRecord(rest['data']) ? rest['data'] : {}) };
    for (const [k, v] of Object.entries(isRecord(stringData) ? stringData : {})) {
      if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
    }
    return { ...rest, data };
  }
  const spec = obj['spec'];
  if (!isRecord(spec)) return obj;
  if (obj.kind === 'Service' && spec['ports']) {
    return { ...obj, spec: { ...spec, ports: withProtocols(spec['ports']) } };
  }
  if (obj.kind === 'Deployment' && isRecord(spec['template'])) {
    const template = spec['template'];
    const podSpec = template['spec'];
    if (!isRecord(podSpec)) return obj;
    return { ...obj, spec: { ...spec, template: { ...template, spec: canonicalPodSpec(podSpec) } } };
  }
  return obj;
}
