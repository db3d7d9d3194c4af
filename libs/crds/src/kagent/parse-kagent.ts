import type { ParseResult } from '../parse/parse-result.js';
import { parserFor } from '../parse/parse-with.js';
import type { Agent } from './agent.js';
import { kagentDefinitions } from './kagent-definitions.js';
import type { MCPServer } from './mcp-server.js';
import type { ModelConfig } from './model-config.js';
import type { ModelProviderConfig } from './model-provider-config.js';
import type { RemoteMCPServer } from './remote-mcp-server.js';

/** Parses a kagent.dev/v1alpha2 Agent. */
export const parseAgent: (input: unknown) => ParseResult<Agent> = parserFor(kagentDefinitions, 'Agent');
/** Parses a kagent.dev/v1alpha2 ModelConfig. */
export const parseModelConfig: (input: unknown) => ParseResult<ModelConfig> = parserFor(
  kagentDefinitions,
  'ModelConfig',
);
/** Parses a kagent.dev/v1alpha2 ModelProviderConfig. */
export const parseModelProviderConfig: (input: unknown) => ParseResult<ModelProviderConfig> = parserFor(
  kagentDefinitions,
  'ModelProviderConfig',
);
/** Parses a kagent.dev/v1alpha2 RemoteMCPServer. */
export const parseRemoteMCPServer: (input: unknown) => ParseResult<RemoteMCPServer> = parserFor(
  kagentDefinitions,
  'RemoteMCPServer',
);
/** Parses a kagent.dev/v1alpha1 MCPServer. */
export const parseMCPServer: (input: unknown) => ParseResult<MCPServer> = parserFor(
  kagentDefinitions,
  'MCPServer',
);
