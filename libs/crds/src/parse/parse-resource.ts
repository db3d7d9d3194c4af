import type { AgentgatewayBackend } from '../agentgateway/agentgateway-backend.js';
import type { AgentgatewayParameters } from '../agentgateway/agentgateway-parameters.js';
import type { AgentgatewayPolicy } from '../agentgateway/agentgateway-policy.js';
import type { Agent } from '../kagent/agent.js';
import type { MCPServer } from '../kagent/mcp-server.js';
import type { ModelConfig } from '../kagent/model-config.js';
import type { ModelProviderConfig } from '../kagent/model-provider-config.js';
import type { RemoteMCPServer } from '../kagent/remote-mcp-server.js';
import { findResourceDefinition } from '../resource-definitions.js';
import type { ParseResult } from './parse-result.js';
import { isPlainObject, nameOf, parseWith } from './parse-with.js';
import { ResourceValidationError } from './resource-validation-error.js';

export {
  parseAgent,
  parseMCPServer,
  parseModelConfig,
  parseModelProviderConfig,
  parseRemoteMCPServer,
} from '../kagent/parse-kagent.js';
export {
  parseAgentgatewayBackend,
  parseAgentgatewayParameters,
  parseAgentgatewayPolicy,
} from '../agentgateway/parse-agentgateway.js';

/** Any resource this library defines, discriminated by `kind`. */
export type KnownResource =
  | Agent
  | ModelConfig
  | ModelProviderConfig
  | RemoteMCPServer
  | MCPServer
  | AgentgatewayBackend
  | AgentgatewayPolicy
  | AgentgatewayParameters;

/**
 * Parses any resource of ours, choosing the schema from `apiVersion` and `kind`. Fails with
 * code `UNSUPPORTED_KIND` for other kinds (Secrets, Services, ...), which callers usually skip.
 */
export function parseResource(input: unknown): ParseResult<KnownResource> {
  if (!isPlainObject(input)) {
    return {
      ok: false,
      error: new ResourceValidationError({
        code: 'NOT_AN_OBJECT',
        issues: [{ path: '', message: 'a resource must be an object with apiVersion, kind and metadata' }],
      }),
    };
  }
  const apiVersion = input['apiVersion'];
  const kind = input['kind'];
  const def =
    typeof apiVersion === 'string' && typeof kind === 'string'
      ? findResourceDefinition(apiVersion, kind)
      : undefined;
  if (!def) {
    return {
      ok: false,
      error: new ResourceValidationError({
        code: 'UNSUPPORTED_KIND',
        kind: typeof kind === 'string' ? kind : undefined,
        resourceName: nameOf(input),
        issues: [
          {
            path: typeof apiVersion === 'string' && typeof kind === 'string' ? 'kind' : 'apiVersion',
            message: `${String(apiVersion)} ${String(kind)} is not a resource kind this library knows`,
          },
        ],
      }),
    };
  }
  return parseWith<KnownResource>(def, input);
}

/** Whether `parseResource` knows this apiVersion and kind. */
export function isKnownResource(input: unknown): boolean {
  if (!isPlainObject(input)) return false;
  const { apiVersion, kind } = input;
  return (
    typeof apiVersion === 'string' && typeof kind === 'string' && !!findResourceDefinition(apiVersion, kind)
  );
}
