import { agentgatewayBackendSchema, backendSpecSchema } from './agentgateway-backend.js';
import { agentgatewayParametersSchema, parametersSpecSchema } from './agentgateway-parameters.js';
import { agentgatewayPolicySchema, policySpecSchema } from './agentgateway-policy.js';
import {
  agentgatewayBackendStatusSchema,
  agentgatewayParametersStatusSchema,
  agentgatewayPolicyStatusSchema,
} from './spec-schemas.js';
import { age, type ResourceDefinition } from '../definition.js';

/** The agentgateway.dev resources, in a stable order. */
export const agentgatewayDefinitions: readonly ResourceDefinition[] = [
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
