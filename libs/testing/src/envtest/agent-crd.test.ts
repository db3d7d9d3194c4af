// The foundation's end-to-end check of our generated CRDs against a real kube-apiserver: an Agent
// is created with the official client, observed through an informer, gets its status through
// the status subresource, and an invalid Agent is refused with an error naming the field.
import { afterAll, describe, expect, it } from 'vitest';
import {
  CoreV1Api,
  CustomObjectsApi,
  makeInformer,
  type Informer,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { setupEnvtest } from './vitest.js';
import { waitFor } from '../wait.js';

const kube = setupEnvtest({ env: process.env });

interface AgentObject extends KubernetesObject {
  spec?: Record<string, unknown>;
  status?: { observedGeneration?: number; conditions?: Array<{ type: string; status: string }> };
}

const group = 'kagent.dev';
const version = 'v1alpha2';
const plural = 'agents';
const namespace = 'agents-it';

function agent(name: string, spec: Record<string, unknown>): AgentObject {
  return { apiVersion: `${group}/${version}`, kind: 'Agent', metadata: { name, namespace }, spec };
}

describe.skipIf(!kube.available)('Agent CRD on a real kube-apiserver', () => {
  let informer: Informer<AgentObject> | undefined;
  afterAll(async () => {
    await informer?.stop();
  });

  it('creates, watches, and updates status of an Agent; rejects an invalid one naming the field', async () => {
    const kc = kube.get().kubeConfig;
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    const custom = kc.makeApiClient(CustomObjectsApi);

    const seen = new Map<string, AgentObject>();
    const path = `/apis/${group}/${version}/namespaces/${namespace}/${plural}`;
    informer = makeInformer<AgentObject>(
      kc,
      path,
      () => custom.listNamespacedCustomObject({ group, version, namespace, plural }) as never,
    );
    const remember = (obj: AgentObject): void => {
      seen.set(obj.metadata?.name ?? '', obj);
    };
    informer.on('add', remember);
    informer.on('update', remember);
    await informer.start();

    await custom.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      body: agent('k8s-agent', {
        type: 'Declarative',
        description: 'answers questions about the cluster',
        declarative: {
          systemMessage: 'You are a helpful Kubernetes agent.',
          modelConfig: 'default-model-config',
          tools: [
            {
              type: 'McpServer',
              mcpServer: {
                apiGroup: 'kagent.dev',
                kind: 'RemoteMCPServer',
                name: 'tools',
                toolNames: ['k8s_get_resources'],
              },
            },
          ],
        },
      }),
    });

    const added = await waitFor(() => seen.get('k8s-agent'), {
      timeoutMs: 10_000,
      description: 'informer add',
    });
    expect(added.spec?.['type']).toBe('Declarative');
    const generation = added.metadata?.generation ?? 0;
    expect(generation).toBeGreaterThan(0);

    await custom.patchNamespacedCustomObjectStatus({
      group,
      version,
      namespace,
      plural,
      name: 'k8s-agent',
      body: [
        {
          op: 'add',
          path: '/status',
          value: {
            observedGeneration: generation,
            conditions: [
              {
                type: 'Accepted',
                status: 'True',
                reason: 'Reconciled',
                message: 'Agent reconciled',
                lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
              },
            ],
          },
        },
      ],
    });
    const updated = await waitFor(
      () => {
        const obj = seen.get('k8s-agent');
        return obj?.status?.conditions?.[0]?.type === 'Accepted' ? obj : undefined;
      },
      { timeoutMs: 10_000, description: 'informer sees the status' },
    );
    expect(updated.status?.observedGeneration).toBe(generation);
    // The status subresource does not bump the generation.
    expect(updated.metadata?.generation).toBe(generation);

    const rejected = await custom
      .createNamespacedCustomObject({
        group,
        version,
        namespace,
        plural,
        body: agent('bad-agent', { type: 'Imperative', declarative: { systemMessage: 'x' } }),
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(rejected).toBeDefined();
    const body = (rejected as { body?: unknown }).body;
    const status = (typeof body === 'string' ? JSON.parse(body) : body) as {
      code: number;
      message: string;
      details?: { causes?: Array<{ field?: string; message?: string }> };
    };
    expect(status.code).toBe(422);
    expect(status.message).toContain('spec.type');
    expect(status.details?.causes).toContainEqual(
      expect.objectContaining({
        field: 'spec.type',
        message: expect.stringContaining('"Imperative"') as unknown,
      }),
    );
    expect(seen.has('bad-agent')).toBe(false);
  });
});
