import { readFile } from 'node:fs/promises';
import { request, type RequestOptions } from 'node:https';
import {
  ApiextensionsV1Api,
  KubernetesObjectApi,
  type KubeConfig,
  type KubernetesObject,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { waitFor } from '../wait.js';

/**
 * The 1.20 test apiserver predates CEL validation rules and rejects `default: ""` on strings in
 * some of the upstream Gateway API CRDs. Strip both, in tests only: users install the CRDs as
 * they are. Returns a new object; the input is left untouched.
 */
export function adaptCrdForTestApiserver<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => adaptCrdForTestApiserver(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const obj = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(obj)) {
    if (key === 'x-kubernetes-validations') continue;
    if (key === 'default' && child === '' && obj['type'] === 'string') continue;
    out[key] = adaptCrdForTestApiserver(child);
  }
  return out as T;
}

/** Reads every CustomResourceDefinition document from the given YAML files. */
export async function readCrdFiles(files: readonly string[]): Promise<V1CustomResourceDefinition[]> {
  const crds: V1CustomResourceDefinition[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      const obj = doc.toJS() as KubernetesObject | null;
      if (obj?.kind === 'CustomResourceDefinition') crds.push(obj as V1CustomResourceDefinition);
    }
  }
  return crds;
}

/**
 * Server-side applies a CRD with a raw request. The typed client re-serializes a
 * CustomResourceDefinition through its generated model, which knows the schema extensions only
 * under their TypeScript names and silently drops `x-kubernetes-int-or-string`,
 * `x-kubernetes-preserve-unknown-fields` and friends from wire-format YAML.
 */
async function applyCrd(kubeConfig: KubeConfig, crd: V1CustomResourceDefinition): Promise<void> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const name = crd.metadata?.name ?? '';
  const url = new URL(
    `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(name)}` +
      '?fieldManager=agentplane-envtest&force=true',
    cluster.server,
  );
  const body = JSON.stringify({
    ...crd,
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
  });
  const options: RequestOptions = {
    method: 'PATCH',
    headers: { 'content-type': 'application/apply-patch+yaml', accept: 'application/json' },
  };
  await kubeConfig.applyToHTTPSOptions(options);
  await new Promise<void>((resolve, reject) => {
    const req = request(url, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`applying CRD ${name} failed with HTTP ${status}: ${text}`));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Installs CRDs by server-side apply (large CRDs exceed the client-side apply annotation limit),
 * then waits until each is Established and its resource answers a list request.
 */
export async function installCrds(
  kubeConfig: KubeConfig,
  crds: readonly V1CustomResourceDefinition[],
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  for (const crd of crds) await applyCrd(kubeConfig, adaptCrdForTestApiserver(crd));
  const timeoutMs = options.timeoutMs ?? 30_000;
  await Promise.all(
    crds.map(async (crd) => {
      const name = crd.metadata?.name ?? '';
      await waitFor(
        async () => {
          const current = await extensions.readCustomResourceDefinition({ name });
          return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
        },
        { timeoutMs, description: `CRD ${name} Established` },
      );
      const version = crd.spec.versions.find((v) => v.served)?.name ?? crd.spec.versions[0]?.name;
      const listPath = `/apis/${crd.spec.group}/${version}/${crd.spec.names.plural}`;
      await waitFor(
        async () => {
          const res = await objects.list(`${crd.spec.group}/${version}`, crd.spec.names.kind);
          return Array.isArray(res.items);
        },
        { timeoutMs, description: `${listPath} served` },
      );
    }),
  );
}
