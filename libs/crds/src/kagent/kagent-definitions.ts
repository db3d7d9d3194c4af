import { agentSchema, agentSpecSchema, agentStatusSchema } from './agent.js';
import { mcpServerSchema, mcpServerSpecSchema, mcpServerStatusSchema } from './mcp-server.js';
import { modelConfigSchema, modelConfigSpecSchema, modelConfigStatusSchema } from './model-config.js';
import {
  modelProviderConfigSchema,
  modelProviderConfigSpecSchema,
  modelProviderConfigStatusSchema,
} from './model-provider-config.js';
import {
  remoteMCPServerSchema,
  remoteMCPServerSpecSchema,
  remoteMCPServerStatusSchema,
} from './remote-mcp-server.js';
import { age, ready, type ResourceDefinition } from '../definition.js';

/** The kagent.dev resources, in a stable order. */
export const kagentDefinitions: readonly ResourceDefinition[] = [
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
];
