// A toy controller used by the tests: a Widget (toys.agentplane.test/v1) owns a ConfigMap with
// its message and a hash of a referenced Secret, and reports Ready with observedGeneration.
import { applyChildren, updateStatus } from '../children-applier.js';
import { setCondition, type Condition } from '../conditions.js';
import { Controller, type ReconcileRequest } from '../controller.js';
import type { ResourceSource, ResourceWriter } from '../resource-source.js';
import type { KubeObject, ResourceKind } from '../resource-types.js';
import { stableHash } from '../stable-hash.js';
import type { Logger, Registry } from '@agentplane/telemetry';

export const WIDGET: ResourceKind = { apiVersion: 'toys.agentplane.test/v1', kind: 'Widget' };
export const CONFIG_MAP: ResourceKind = { apiVersion: 'v1', kind: 'ConfigMap' };
export const SECRET: ResourceKind = { apiVersion: 'v1', kind: 'Secret' };

export interface Widget extends KubeObject {
  spec: { message: string; enabled?: boolean; secretName?: string };
  status?: { observedGeneration?: number; conditions?: Condition[] };
}

export const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.toys.agentplane.test' },
  spec: {
    group: 'toys.agentplane.test',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  message: { type: 'string' },
                  enabled: { type: 'boolean' },
                  secretName: { type: 'string' },
                },
              },
              status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        },
      },
    ],
  },
};

export function widget(namespace: string, name: string, spec: Widget['spec']): Widget {
  return { apiVersion: WIDGET.apiVersion, kind: WIDGET.kind, metadata: { name, namespace }, spec };
}

export interface WidgetControllerOptions {
  store: ResourceSource & ResourceWriter;
  registry?: Registry;
  logger?: Logger;
  /** Counts reconciles per key, for assertions. */
  reconciled?: Map<string, number>;
}

export function widgetController(options: WidgetControllerOptions): Controller {
  const { store } = options;
  const reconcile = async (req: ReconcileRequest): Promise<void> => {
    options.reconciled?.set(req.key, (options.reconciled.get(req.key) ?? 0) + 1);
    const current = await store.get<Widget>(WIDGET, req.namespace, req.name);
    if (!current) return;
    const spec = current.spec;
    const secret = spec.secretName ? await store.get(SECRET, req.namespace, spec.secretName) : undefined;
    const desired: KubeObject[] =
      spec.enabled === false
        ? []
        : [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: `${req.name}-config`, labels: { 'toys.agentplane.test/widget': req.name } },
              data: { message: spec.message, secretHash: stableHash(secret?.['data'] ?? null, 16) },
            },
          ];
    await applyChildren({ source: store, writer: store, owner: current, desired, ownedKinds: [CONFIG_MAP] });
    const generation = current.metadata.generation ?? 0;
    const conditions = setCondition(current.status?.conditions, {
      type: 'Ready',
      status: 'True',
      reason: spec.enabled === false ? 'Disabled' : 'Configured',
      message: spec.enabled === false ? 'widget disabled' : `configured ${req.name}-config`,
      observedGeneration: generation,
    });
    await updateStatus(store, current, { observedGeneration: generation, conditions });
  };
  return new Controller({
    name: 'widget',
    source: store,
    for: WIDGET,
    owns: [CONFIG_MAP],
    watches: [
      {
        kind: SECRET,
        map: async (secret) => {
          const widgets = await store.list<Widget>(WIDGET, { namespace: secret.metadata.namespace ?? '' });
          return widgets
            .filter((w) => w.spec.secretName === secret.metadata.name)
            .map((w) => ({
              kind: WIDGET.kind,
              namespace: w.metadata.namespace ?? '',
              name: w.metadata.name ?? '',
            }));
        },
      },
    ],
    reconcile,
    workers: 2,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
