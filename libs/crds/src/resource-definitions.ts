import { agentgatewayDefinitions } from './agentgateway/agentgateway-definitions.js';
import { apiVersionOf, type ResourceDefinition } from './definition.js';
import { kagentDefinitions } from './kagent/kagent-definitions.js';

export { apiVersionOf, type PrinterColumn, type ResourceDefinition } from './definition.js';

/** The resources this library defines, in a stable order. */
export const resourceDefinitions: readonly ResourceDefinition[] = [
  ...kagentDefinitions,
  ...agentgatewayDefinitions,
];

/** Finds the definition for an apiVersion and kind. */
export function findResourceDefinition(apiVersion: string, kind: string): ResourceDefinition | undefined {
  return resourceDefinitions.find((d) => apiVersionOf(d) === apiVersion && d.kind === kind);
}
