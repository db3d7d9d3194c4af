import type { z } from 'zod';
import { agentgatewayBackendSchema, backendSpecSchema } from './agentgateway/agentgateway-backend.js';
import {
  agentgatewayParametersSchema,
  parametersSpecSchema,
} from './agentgateway/agentgateway-parameters.js';
import { agentgatewayPolicySchema, policySpecSchema } from './agentgateway/agentgateway-policy.js';
import {
  agentgatewayBackendStatusSchema,
  agentgatewayParametersStatusSchema,
  agentgatewayPolicyStatusSchema,
} from './agentgateway/spec-schemas.js';
import { agentSchema, agentSpecSchema, agentStatusSchema } from './kagent/agent.js';
import { mcpServerSchema, mcpServerSpecSchema, mcpServerStatusSchema } from './kagent/mcp-server.js';
import { modelConfigSchema, modelConfigSpecSchema, modelConfigStatusSchema } from './kagent/model-config.js';
import {
  modelProviderConfigSchema,
  modelProviderConfigSpecSchema,
  modelProviderConfigStatusSchema,
} from './kagent/model-provider-config.js';
import {
  remoteMCPServerSchema,
  remoteMCPServerSpecSchema,
  remoteMCPServerStatusSchema,
} from './kagent/remote-mcp-server.js';

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

const ready = (type: string): PrinterColumn => ({
  name: type,
  type: 'string',
  jsonPath: `.status.conditions[?(@.type=='${type}')].status`,
  description: `Status of the ${type} condition.`,
});
const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** The resources this library defines, in a stable order. */
export const resourceDefinitions: readonly ResourceDefinition[] = [
  {
    group: 'kagent.dev',
    version: 'v1alpha2',
    kind: 'Agent',
    plural: 'agents',
    singular: 'agent',
    listKind: 'AgentList',
    categories: ['kagent'],
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.spec.type', description: 'Declarative or BYO.' },
      {
        name: 'Runtime',
        type: 'string',
        jsonPath: '.spec.declarative.runtime',
        description: 'Runtime recorded for a declarative agent.',
      },
      ready('Ready'),
      ready('Accepted'),
    ],
    schema: agentSchema,
    spec: agentSpecSchema,
    status: agentStatusSchema,
  },
  {
    group: 'kagent.dev',
    version: 'v1alpha2',
    kind: 'ModelConfig',
    plural: 'modelconfigs',
    singular: 'modelconfig',
    listKind: 'ModelConfigList',
    shortNames: ['mc'],
    categories: ['kagent'],
    printerColumns: [
      { name: 'Provider', type: 'string', jsonPath: '.spec.provider' },
      { name: 'Model', type: 'string', jsonPath: '.spec.model' },
    ],
    schema: modelConfigSchema,
    spec: modelConfigSpecSchema,
    status: modelConfigStatusSchema,
  },
  {
    group: 'kagent.dev',
    version: 'v1alpha2',
    kind: 'ModelProviderConfig',
    plural: 'modelproviderconfigs',
    singular: 'modelproviderconfig',
    listKind: 'ModelProviderConfigList',
    shortNames: ['mprov'],
    categories: ['kagent'],
    printerColumns: [
      { name: 'Type', type: 'string', jsonPath: '.spec.type' },
      { name: 'Endpoint', type: 'string', jsonPath: '.spec.endpoint' },
      { name: 'Models', type: 'integer', jsonPath: '.status.modelCount' },
      { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
      age,
    ],
    schema: modelProviderConfigSchema,
    spec: modelProviderConfigSpecSchema,
    status: modelProviderConfigStatusSchema,
  },
  {
    group: 'kagent.dev',
    version: 'v1alpha2',
    kind: 'RemoteMCPServer',
    plural: 'remotemcpservers',
    singular: 'remotemcpserver',
    listKind: 'RemoteMCPServerList',
    shortNames: ['rmcps'],
    categories: ['kagent'],
    printerColumns: [
      { name: 'Protocol', type: 'string', jsonPath: '.spec.protocol' },
      { name: 'URL', type: 'string', jsonPath: '.spec.url' },
      { name: 'Accepted', type: 'string', jsonPath: ".status.conditions[?(@.type=='Accepted')].status" },
    ],
    schema: remoteMCPServerSchema,
    spec: remoteMCPServerSpecSchema,
    status: remoteMCPServerStatusSchema,
  },
  {
    group: 'kagent.dev',
    version: 'v1alpha1',
    kind: 'MCPServer',
    plural: 'mcpservers',
    singular: 'mcpserver',
    listKind: 'MCPServerList',
    categories: ['kagent'],
    printerColumns: [
      { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
      age,
    ],
    schema: mcpServerSchema,
    spec: mcpServerSpecSchema,
    status: mcpServerStatusSchema,
  },
  {
    group: 'agentgateway.dev',
    version: 'v1alpha1',
    kind: 'AgentgatewayBackend',
    plural: 'agentgatewaybackends',
    singular: 'agentgatewaybackend',
    listKind: 'AgentgatewayBackendList',
    shortNames: ['agbe'],
    categories: ['agentgateway'],
    printerColumns: [
      {
        name: 'Accepted',
        type: 'string',
        jsonPath: ".status.conditions[?(@.type=='Accepted')].status",
        description: 'Whether the backend configuration was accepted.',
      },
      { ...age, description: 'Age of the backend.' },
    ],
    schema: agentgatewayBackendSchema,
    spec: backendSpecSchema,
    status: agentgatewayBackendStatusSchema,
  },
  {
    group: 'agentgateway.dev',
    version: 'v1alpha1',
    kind: 'AgentgatewayPolicy',
    plural: 'agentgatewaypolicies',
    singular: 'agentgatewaypolicy',
    listKind: 'AgentgatewayPolicyList',
    shortNames: ['agpol'],
    categories: ['agentgateway'],
    printerColumns: [
      {
        name: 'Accepted',
        type: 'string',
        jsonPath: ".status.ancestors[*].conditions[?(@.type=='Accepted')].status",
        description: 'Whether the policy was accepted, per ancestor.',
      },
      {
        name: 'Attached',
        type: 'string',
        jsonPath: ".status.ancestors[*].conditions[?(@.type=='Attached')].status",
        description: 'Whether the policy is attached, per ancestor.',
      },
      age,
    ],
    schema: agentgatewayPolicySchema,
    spec: policySpecSchema,
    status: agentgatewayPolicyStatusSchema,
  },
  {
    group: 'agentgateway.dev',
    version: 'v1alpha1',
    kind: 'AgentgatewayParameters',
    plural: 'agentgatewayparameters',
    singular: 'agentgatewayparameters',
    listKind: 'AgentgatewayParametersList',
    shortNames: ['agpar'],
    categories: ['agentgateway'],
    printerColumns: [age],
    schema: agentgatewayParametersSchema,
    spec: parametersSpecSchema,
    status: agentgatewayParametersStatusSchema,
  },
];

/** `apiVersion` of a definition, e.g. `kagent.dev/v1alpha2`. */
export const apiVersionOf = (def: ResourceDefinition): string => `${def.group}/${def.version}`;

/** Finds the definition for an apiVersion and kind. */
export function findResourceDefinition(apiVersion: string, kind: string): ResourceDefinition | undefined {
  return resourceDefinitions.find((d) => apiVersionOf(d) === apiVersion && d.kind === kind);
}
