import { create } from '@bufbuild/protobuf';
import type { AgentgatewayBackend } from '@agentplane/crds';
import {
  AiProviderSchema,
  BackendSchema,
  McpFailureMode,
  McpPrefixMode,
  McpStatefulMode,
  McpTargetSchema,
} from '@agentplane/xds/v1/backend';
import type { AiProvider, Backend, McpTarget } from '@agentplane/xds/v1/backend';
import type { BackendPolicy } from '@agentplane/xds/v1/policy';
import { translateBackendPolicies } from './backend-policy.js';
import { matchesSelector } from './label-selector.js';
import { metaRef, ResourceKey } from './names.js';
import type { Service } from './k8s-types.js';
import { Problems, serviceHost } from './translate-context.js';
import type { TranslateContext } from './translate-context.js';

/** Service annotation overriding the MCP path of a selected Service (default /mcp). */
export const MCP_PATH_ANNOTATION = 'agentgateway.dev/mcp-path';
/** Service annotation choosing the MCP transport of a selected Service: StreamableHTTP (default) or SSE. */
export const MCP_PROTOCOL_ANNOTATION = 'agentgateway.dev/mcp-protocol';
/** appProtocols marking the MCP port of a selected Service. */
export const MCP_APP_PROTOCOLS = ['agentgateway.dev/mcp', 'kgateway.dev/mcp'] as const;

type Spec = AgentgatewayBackend['spec'];
type McpSpec = NonNullable<Spec['mcp']>;
type AiSpec = NonNullable<Spec['ai']>;
type ProviderSpec = NonNullable<AiSpec['provider']>;
type GroupProviderSpec = NonNullable<AiSpec['groups']>[number]['providers'][number];

/** An AgentgatewayBackend translated, or the problems that keep it from being accepted. */
export interface BackendTranslation {
  /** Absent when the backend is not valid. */
  readonly backend?: Backend;
  /** The backend's own spec.policies (sent as a Policy targeting the backend). */
  readonly policy?: BackendPolicy;
  /** MCP target names and AI provider names: the sectionNames a policy may target. */
  readonly sections: readonly string[];
  readonly problems: readonly string[];
}

/** Translates one AgentgatewayBackend. */
export function translateBackend(ctx: TranslateContext, backend: AgentgatewayBackend): BackendTranslation {
  const ref = metaRef(backend);
  const problems = new Problems();
  const spec = backend.spec;
  problems.unsupportedKeys(spec, ['a2a', 'ai', 'mcp', 'policies', 'static'], 'spec');
  const message = create(BackendSchema, { key: ResourceKey.backend(ref), name: ref });
  let sections: string[] = [];
  if (spec.static !== undefined) {
    problems.unsupportedKeys(spec.static, ['host', 'port'], 'spec.static');
    if (spec.static.host === undefined || spec.static.port === undefined)
      problems.add('spec.static needs host and port');
    message.kind = {
      case: 'static',
      value: {
        $typeName: 'agentplane.xds.v1.StaticBackend',
        host: spec.static.host ?? '',
        port: spec.static.port ?? 0,
      },
    };
  } else if (spec.a2a !== undefined) {
    message.kind = {
      case: 'a2a',
      value: {
        $typeName: 'agentplane.xds.v1.A2aBackend',
        host: spec.a2a.host,
        port: spec.a2a.port,
        path: '',
      },
    };
  } else if (spec.mcp !== undefined) {
    const targets = mcpTargets(ctx, problems, ref.namespace, spec.mcp);
    sections = targets.map((t) => t.name);
    message.kind = {
      case: 'mcp',
      value: {
        $typeName: 'agentplane.xds.v1.McpBackend',
        targets,
        statefulMode:
          spec.mcp.sessionRouting === 'Stateless' ? McpStatefulMode.STATELESS : McpStatefulMode.STATEFUL,
        prefixMode:
          spec.mcp.prefixMode === 'Always'
            ? McpPrefixMode.ALWAYS
            : spec.mcp.prefixMode === 'Never'
              ? McpPrefixMode.NEVER
              : McpPrefixMode.CONDITIONAL,
        failureMode:
          spec.mcp.failureMode === 'FailOpen' ? McpFailureMode.FAIL_OPEN : McpFailureMode.FAIL_CLOSED,
      },
    };
  } else if (spec.ai !== undefined) {
    const groups = aiGroups(ctx, problems, ref.namespace, ref.name, spec.ai);
    sections = groups.flatMap((g) => g.map((p) => p.name));
    message.kind = {
      case: 'ai',
      value: {
        $typeName: 'agentplane.xds.v1.AiBackend',
        groups: groups.map((providers) => ({ $typeName: 'agentplane.xds.v1.AiProviderGroup', providers })),
      },
    };
  }
  const policy =
    spec.policies !== undefined
      ? translateBackendPolicies(
          ctx,
          problems,
          ref.namespace,
          spec.policies,
          'spec.policies',
          spec.ai !== undefined ? 'ai' : 'other',
        )
      : undefined;
  if (!problems.empty) return { sections, problems: problems.list };
  return { backend: message, ...(policy ? { policy } : {}), sections, problems: [] };
}

function mcpTargets(ctx: TranslateContext, problems: Problems, namespace: string, mcp: McpSpec): McpTarget[] {
  const out: McpTarget[] = [];
  mcp.targets.forEach((t, i) => {
    const path = `spec.mcp.targets[${i}]`;
    if (t.static !== undefined) {
      const s = t.static;
      let host = s.host;
      if (s.backendRef !== undefined) {
        const name = s.backendRef.name;
        if (ctx.index.service({ namespace, name }) === undefined)
          problems.add(`${path}.static.backendRef: Service ${namespace}/${name} not found`);
        host = serviceHost(ctx, namespace, name);
      }
      const sse = s.protocol === 'SSE';
      const target = create(McpTargetSchema, {
        name: t.name,
        kind: {
          case: sse ? 'sse' : 'mcp',
          value: { host: host ?? '', port: s.port, path: s.path ?? (sse ? '/sse' : '/mcp') },
        },
      });
      if (s.policies !== undefined) {
        const policy = translateBackendPolicies(
          ctx,
          problems,
          namespace,
          s.policies,
          `${path}.static.policies`,
          'other',
        );
        if (policy !== undefined) target.backendPolicy = policy;
      }
      out.push(target);
    } else if (t.selector !== undefined) {
      for (const svc of selectServices(ctx, namespace, t.selector)) {
        const target = serviceTarget(ctx, namespace, svc);
        if (target !== undefined) out.push(target);
      }
    }
  });
  const seen = new Set<string>();
  for (const t of out) {
    if (seen.has(t.name)) problems.add(`spec.mcp.targets: target name ${t.name} is used twice`);
    seen.add(t.name);
  }
  return out;
}

function selectServices(
  ctx: TranslateContext,
  namespace: string,
  selector: NonNullable<McpSpec['targets'][number]['selector']>,
): Service[] {
  return [...ctx.index.services.values()].filter((svc) => {
    const ns = svc.metadata?.namespace ?? 'default';
    const nsOk =
      selector.namespaces === undefined
        ? ns === namespace
        : matchesSelector(selector.namespaces, ctx.index.namespaceLabels(ns));
    const svcOk = selector.services === undefined || matchesSelector(selector.services, svc.metadata?.labels);
    return nsOk && svcOk;
  });
}

/** An MCP target for a selected Service: its MCP port (by appProtocol, else its only port). */
function serviceTarget(ctx: TranslateContext, namespace: string, svc: Service): McpTarget | undefined {
  const ports = svc.spec?.ports ?? [];
  const port =
    ports.find((p) => (MCP_APP_PROTOCOLS as readonly string[]).includes(p.appProtocol ?? '')) ??
    (ports.length === 1 ? ports[0] : undefined);
  if (port === undefined) return undefined;
  const ref = metaRef(svc);
  const sse = svc.metadata?.annotations?.[MCP_PROTOCOL_ANNOTATION] === 'SSE';
  return create(McpTargetSchema, {
    name: ref.namespace === namespace ? ref.name : `${ref.namespace}-${ref.name}`,
    kind: {
      case: sse ? 'sse' : 'mcp',
      value: {
        host: serviceHost(ctx, ref.namespace, ref.name),
        port: port.port,
        path: svc.metadata?.annotations?.[MCP_PATH_ANNOTATION] ?? (sse ? '/sse' : '/mcp'),
      },
    },
  });
}

function aiGroups(
  ctx: TranslateContext,
  problems: Problems,
  namespace: string,
  backendName: string,
  ai: AiSpec,
): AiProvider[][] {
  if (ai.provider !== undefined) {
    const p = aiProvider(ctx, problems, namespace, backendName, ai.provider, 'spec.ai.provider');
    return p ? [[p]] : [];
  }
  return (ai.groups ?? []).map((g, gi) =>
    g.providers.flatMap(
      (p, pi) =>
        aiProvider(ctx, problems, namespace, p.name, p, `spec.ai.groups[${gi}].providers[${pi}]`) ?? [],
    ),
  );
}

function aiProvider(
  ctx: TranslateContext,
  problems: Problems,
  namespace: string,
  name: string,
  spec: ProviderSpec | GroupProviderSpec,
  path: string,
): AiProvider | undefined {
  problems.unsupportedKeys(
    spec,
    [
      'anthropic',
      'azureopenai',
      'bedrock',
      'gemini',
      'host',
      'name',
      'openai',
      'path',
      'pathPrefix',
      'policies',
      'port',
      'vertexai',
    ],
    path,
  );
  const out = create(AiProviderSchema, {
    name,
    pathOverride: spec.path ?? '',
    pathPrefix: spec.pathPrefix ?? '',
  });
  if (spec.host !== undefined)
    out.hostOverride = { $typeName: 'agentplane.xds.v1.HostPort', host: spec.host, port: spec.port ?? 443 };
  if (spec.openai !== undefined) {
    problems.unsupportedKeys(spec.openai, ['model'], `${path}.openai`);
    out.kind = {
      case: 'openai',
      value: { $typeName: 'agentplane.xds.v1.OpenAiProvider', model: spec.openai.model ?? '' },
    };
  } else if (spec.anthropic !== undefined) {
    out.kind = {
      case: 'anthropic',
      value: { $typeName: 'agentplane.xds.v1.AnthropicProvider', model: spec.anthropic.model ?? '' },
    };
  } else if (spec.gemini !== undefined) {
    out.kind = {
      case: 'gemini',
      value: { $typeName: 'agentplane.xds.v1.GeminiProvider', model: spec.gemini.model ?? '' },
    };
  } else if (spec.vertexai !== undefined) {
    const v = spec.vertexai;
    out.kind = {
      case: 'vertexai',
      value: {
        $typeName: 'agentplane.xds.v1.VertexAiProvider',
        model: v.model ?? '',
        projectId: v.projectId,
        region: v.region,
      },
    };
  } else if (spec.bedrock !== undefined) {
    const b = spec.bedrock;
    out.kind = {
      case: 'bedrock',
      value: {
        $typeName: 'agentplane.xds.v1.BedrockProvider',
        model: b.model ?? '',
        region: b.region,
        guardrailIdentifier: b.guardrail?.identifier ?? '',
        guardrailVersion: b.guardrail?.version ?? '',
      },
    };
  } else if (spec.azureopenai !== undefined) {
    const a = spec.azureopenai;
    out.kind = {
      case: 'azureopenai',
      value: {
        $typeName: 'agentplane.xds.v1.AzureOpenAiProvider',
        deploymentName: a.deploymentName ?? '',
        endpoint: a.endpoint,
        apiVersion: a.apiVersion ?? '',
      },
    };
  }
  const policies = 'policies' in spec ? spec.policies : undefined;
  if (policies !== undefined) {
    const policy = translateBackendPolicies(ctx, problems, namespace, policies, `${path}.policies`, 'ai');
    if (policy !== undefined) out.backendPolicy = policy;
  }
  return out;
}
