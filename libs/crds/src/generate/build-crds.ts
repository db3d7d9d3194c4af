import type { JsonSchema } from '../k8s/json-schema.js';
import { resourceDefinitions, type PrinterColumn, type ResourceDefinition } from '../resource-definitions.js';
import { toStructuralSchema } from './to-structural-schema.js';

/** An apiextensions.k8s.io/v1 CustomResourceDefinition as a plain object. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames?: string[];
      categories: string[];
    };
    scope: 'Namespaced';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: JsonSchema };
      subresources: { status: Record<string, never> };
      additionalPrinterColumns?: PrinterColumn[];
    }[];
  };
}

/** Builds the CRD for one resource definition. */
export function buildCrd(def: ResourceDefinition): CustomResourceDefinition {
  const openAPIV3Schema: JsonSchema = {
    description: `${def.kind} (${def.group}/${def.version}).`,
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: toStructuralSchema(def.spec, '.spec'),
      status: toStructuralSchema(def.status, '.status'),
    },
    required: ['spec'],
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${def.plural}.${def.group}`,
      labels: { 'app.kubernetes.io/part-of': 'agentplane' },
    },
    spec: {
      group: def.group,
      names: {
        kind: def.kind,
        listKind: def.listKind,
        plural: def.plural,
        singular: def.singular,
        ...(def.shortNames ? { shortNames: [...def.shortNames] } : {}),
        categories: [...def.categories],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: def.version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema },
          subresources: { status: {} },
          ...(def.printerColumns.length > 0
            ? { additionalPrinterColumns: def.printerColumns.map((c) => ({ ...c })) }
            : {}),
        },
      ],
    },
  };
}

/** Every CRD this library defines, in a stable order. */
export function buildCrds(): CustomResourceDefinition[] {
  return resourceDefinitions.map(buildCrd);
}

/** The file name a CRD is written to, e.g. `kagent.dev_agents.yaml`. */
export function crdFileName(crd: CustomResourceDefinition): string {
  return `${crd.spec.group}_${crd.spec.names.plural}.yaml`;
}
