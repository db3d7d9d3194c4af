import type { ParseResult } from '../parse/parse-result.js';
import { parserFor } from '../parse/parse-with.js';
import type { AgentgatewayBackend } from './agentgateway-backend.js';
import { agentgatewayDefinitions } from './agentgateway-definitions.js';
import type { AgentgatewayParameters } from './agentgateway-parameters.js';
import type { AgentgatewayPolicy } from './agentgateway-policy.js';

/** Parses an agentgateway.dev/v1alpha1 AgentgatewayBackend. */
export const parseAgentgatewayBackend: (input: unknown) => ParseResult<AgentgatewayBackend> = parserFor(
  agentgatewayDefinitions,
  'AgentgatewayBackend',
);
/** Parses an agentgateway.dev/v1alpha1 AgentgatewayPolicy. */
export const parseAgentgatewayPolicy: (input: unknown) => ParseResult<AgentgatewayPolicy> = parserFor(
  agentgatewayDefinitions,
  'AgentgatewayPolicy',
);
/** Parses an agentgateway.dev/v1alpha1 AgentgatewayParameters. */
export const parseAgentgatewayParameters: (input: unknown) => ParseResult<AgentgatewayParameters> = parserFor(
  agentgatewayDefinitions,
  'AgentgatewayParameters',
);
