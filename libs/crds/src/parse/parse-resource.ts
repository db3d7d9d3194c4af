import type { AgentgatewayBackend } from '../agentgateway/agentgateway-backend.js';
import type { AgentgatewayParameters } from '../agentgateway/agentgateway-parameters.js';
import type { AgentgatewayPolicy } from '../agentgateway/agentgateway-policy.js';
import type { Agent } from '../kagent/agent.js';
import type { MCPServer } from '../kagent/mcp-server.js';
import type { ModelConfig } from '../kagent/model-config.js';
import type { ModelProviderConfig } from '../kagent/model-provider-config.js';
import type { RemoteMCPServer } from '../kagent/remote-mcp-server.js';
import { findResourceDefinition, type ResourceDefinition } from '../resource-definitions.js';
import { normalizeAgent } from './normalize-agent.js';
import type { ParseResult } from './parse-result.js';
import { prunedFields } from './pruned-fields.js';
import { ResourceValidationError } from './resource-validation-error.js';
import { toResourceIssues } from './zod-issues.js';

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

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function nameOf(obj: Record<string, unknown>): string | undefined {
  const meta = obj['metadata'];
  if (!isPlainObject(meta)) return undefined;
  const name = meta['name'];
  const ns = meta['namespace'];
  if (typeof name !== 'string') return undefined;
  return typeof ns === 'string' ? `${ns}/${name}` : name;
}

function parseWith<T>(def: ResourceDefinition, input: Record<string, unknown>): ParseResult<T> {
  const normalized = def.kind === 'Agent' ? normalizeAgent(input) : { value: input, warnings: [] };
  const result = def.schema.safeParse(normalized.value, { reportInput: true });
  if (!result.success) {
    return {
      ok: false,
      error: new ResourceValidationError({
        code: 'INVALID_RESOURCE',
        kind: def.kind,
        resourceName: nameOf(input),
        issues: toResourceIssues(result.error.issues),
      }),
    };
  }
  return {
    ok: true,
    value: result.data as T,
    warnings: [...normalized.warnings, ...prunedFields(normalized.value, result.data)],
  };
}

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

function parserFor<T extends KnownResource>(
  apiVersion: string,
  kind: T['kind'],
): (input: unknown) => ParseResult<T> {
  return (input: unknown) => {
    const def = findResourceDefinition(apiVersion, kind);
    if (!def) throw new Error(`no definition for ${apiVersion} ${kind}`);
    if (!isPlainObject(input)) {
      return {
        ok: false,
        error: new ResourceValidationError({
          code: 'NOT_AN_OBJECT',
          kind,
          issues: [{ path: '', message: `a ${kind} must be an object` }],
        }),
      };
    }
    // apiVersion and kind may be omitted when the caller already knows what the object is.
    return parseWith<T>(def, { apiVersion, kind, ...input });
  };
}

/** Parses a kagent.dev/v1alpha2 Agent. */
export const parseAgent: (input: unknown) => ParseResult<Agent> = parserFor('kagent.dev/v1alpha2', 'Agent');
/** Parses a kagent.dev/v1alpha2 ModelConfig. */
export const parseModelConfig: (input: unknown) => ParseResult<ModelConfig> = parserFor(
  'kagent.dev/v1alpha2',
  'ModelConfig',
);
/** Parses a kagent.dev/v1alpha2 ModelProviderConfig. */
export const parseModelProviderConfig: (input: unknown) => ParseResult<ModelProviderConfig> = parserFor(
  'kagent.dev/v1alpha2',
  'ModelProviderConfig',
);
/** Parses a kagent.dev/v1alpha2 RemoteMCPServer. */
export const parseRemoteMCPServer: (input: unknown) => ParseResult<RemoteMCPServer> = parserFor(
  'kagent.dev/v1alpha2',
  'RemoteMCPServer',
);
/** Parses a kagent.dev/v1alpha1 MCPServer. */
export const parseMCPServer: (input: unknown) => ParseResult<MCPServer> = parserFor(
  'kagent.dev/v1alpha1',
  'MCPServer',
);
/** Parses an agentgateway.dev/v1alpha1 AgentgatewayBackend. */
export const parseAgentgatewayBackend: (input: unknown) => ParseResult<AgentgatewayBackend> = parserFor(
  'agentgateway.dev/v1alpha1',
  'AgentgatewayBackend',
);
/** Parses an agentgateway.dev/v1alpha1 AgentgatewayPolicy. */
export const parseAgentgatewayPolicy: (input: unknown) => ParseResult<AgentgatewayPolicy> = parserFor(
  'agentgateway.dev/v1alpha1',
  'AgentgatewayPolicy',
);
/** Parses an agentgateway.dev/v1alpha1 AgentgatewayParameters. */
export const parseAgentgatewayParameters: (input: unknown) => ParseResult<AgentgatewayParameters> = parserFor(
  'agentgateway.dev/v1alpha1',
  'AgentgatewayParameters',
);
