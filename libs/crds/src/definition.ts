import type { z } from 'zod';

/** A `kubectl get` column (`additionalPrinterColumns`). */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
}

/** Everything needed to parse one kind and to generate its CustomResourceDefinition. */
export interface ResourceDefinition {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  listKind: string;
  shortNames?: readonly string[];
  categories: readonly string[];
  printerColumns: readonly PrinterColumn[];
  /** The whole object. */
  schema: z.ZodType;
  spec: z.ZodType;
  status: z.ZodType;
}

/** The printer column showing a condition's status. */
export const ready = (type: string): PrinterColumn => ({
  name: type,
  type: 'string',
  jsonPath: `.status.conditions[?(@.type=='${type}')].status`,
  description: `Status of the ${type} condition.`,
});
/** The printer column showing the object's age. */
export const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** `apiVersion` of a definition, e.g. `kagent.dev/v1alpha2`. */
export const apiVersionOf = (def: ResourceDefinition): string => `${def.group}/${def.version}`;
