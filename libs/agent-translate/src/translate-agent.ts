import { agentConfigSchema } from '@agentplane/agent-config';
import {
  formatIssues,
  parseAgent,
  parseModelConfig,
  type Agent,
  type ModelConfig,
} from '@agentplane/crds/kagent';
import { buildAgentCard, type AgentCardView } from './agent-card.js';
import { checkAgentToolGraph, translateAgentTool } from './agent-tools.js';
import { computeConfigHash } from './config-hash.js';
import { goJson } from './go-json.js';
import { buildManifest, type ManifestSettings, type WorkloadSpec } from './manifest.js';
import type { ManifestObject } from './manifest-types.js';
import { translateMcpServerTool } from './mcp-tools.js';
import { translateModelConfig, type ModelTranslation } from './model-config.js';
import { PromptTemplateError, renderPromptTemplate } from './prompt-template.js';
import { recordingResolver, type ObjectReference, type ReferenceResolver } from './reference-resolver.js';
import {
  DEFAULT_CONTROLLER_NAMESPACE,
  DEFAULT_CONTROLLER_URL,
  DEFAULT_RUNTIME_COMMAND,
  type TranslateOptions,
} from './translate-options.js';
import { TranslationError, type TranslationFailureReason } from './translation-error.js';
import { readSourceData, resolveValueSource } from './value-refs.js';

/** kagent's runtime arguments: serve A2A on 8080 from the files mounted at /config. */
export const RUNTIME_ARGS: readonly string[] = [
  '--host',
  '0.0.0.0',
  '--port',
  '8080',
  '--filepath',
  '/config',
];

export interface TranslateAgentInput {
  /** The Agent as stored (apiVersion/kind may be omitted). */
  agent: unknown;
  /** Namespace to use when the Agent's metadata has none. */
  namespace?: string;
  /** Looks up ModelConfigs, Secrets, ConfigMaps, tool servers, other Agents and Namespaces. */
  resolve: ReferenceResolver;
  options: TranslateOptions;
}

/** The desired state for one Agent. */
export interface AgentOutputs {
  agentCard: AgentCardView;
  /** The runtime's config.json (null for BYO agents, which bring their own). */
  config: Record<string, unknown> | null;
  /** Secret, ServiceAccount (unless one is named), Deployment, Service. */
  manifest: ManifestObject[];
}

export type TranslateAgentResult =
  | {
      ok: true;
      outputs: AgentOutputs;
      /** Every object looked up, found or not: watch these to re-translate on change. */
      references: ObjectReference[];
      /** Fields dropped or normalized while reading the Agent. */
      warnings: string[];
    }
  | {
      ok: false;
      reason: TranslationFailureReason;
      /** Path in the Agent that leads to the problem, e.g. `spec.declarative.tools[1].agent.namespace`. */
      field: string;
      /** Starts with `field`; names the missing or invalid reference. Never contains Secret values. */
      message: string;
      references: ObjectReference[];
    };

/**
 * Translates an Agent and what it references into its desired objects. Pure: no I/O, the same
 * inputs always give the same outputs (hash included).
 */
export function translateAgent(input: TranslateAgentInput): TranslateAgentResult {
  const { resolver, references } = recordingResolver(input.resolve);
  try {
    const parsed = parseAgent(input.agent);
    if (!parsed.ok) {
      const [first, ...rest] = parsed.error.issues;
      const detail = [
        first?.message ?? 'invalid',
        ...(rest.length > 0 ? [`also: ${formatIssues(rest)}`] : []),
      ];
      throw new TranslationError('InvalidAgent', first?.path ?? '', detail.join('; '));
    }
    const agent: Agent = parsed.value;
    const namespace = agent.metadata.namespace || input.namespace || '';
    agent.metadata.namespace = namespace;
    const outputs =
      agent.spec.type === 'BYO'
        ? translateByo(agent, input.options)
        : translateDeclarative(agent, resolver, input.options);
    return {
      ok: true,
      outputs,
      references: references(),
      warnings: parsed.warnings.map((w) => `${w.path}: ${w.message}`),
    };
  } catch (e) {
    if (!(e instanceof TranslationError)) throw e;
    return { ok: false, reason: e.code, field: e.field, message: e.message, references: references() };
  }
}

function settingsOf(options: TranslateOptions): ManifestSettings {
  return {
    controllerUrl: options.controllerUrl ?? DEFAULT_CONTROLLER_URL,
    imagePullPolicy: options.imagePullPolicy ?? 'IfNotPresent',
    ...(options.imagePullSecret ? { imagePullSecret: options.imagePullSecret } : {}),
    ...(options.defaultServiceAccountName
      ? { defaultServiceAccountName: options.defaultServiceAccountName }
      : {}),
    otelEnv: options.otelEnv ?? {},
  };
}

/** The runtime image with its registry replaced (`deployment.imageRegistry`). */
export function withRegistry(image: string, registry: string | undefined): string {
  if (!registry) return image;
  const slash = image.indexOf('/');
  const first = slash === -1 ? '' : image.slice(0, slash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  const rest = hasRegistry ? image.slice(slash + 1) : image;
  return `${registry.replace(/\/+$/, '')}/${rest}`;
}

function loadModelConfig(
  resolver: ReferenceResolver,
  namespace: string,
  name: string,
  field: string,
): ModelConfig {
  const obj = resolver.get('ModelConfig', namespace, name);
  if (obj === undefined) {
    throw new TranslationError('ModelConfigNotFound', field, `ModelConfig ${namespace}/${name} not found`);
  }
  const parsed = parseModelConfig(obj);
  if (!parsed.ok) {
    throw new TranslationError(
      'InvalidReference',
      field,
      `ModelConfig ${namespace}/${name}: ${formatIssues(parsed.error.issues)}`,
    );
  }
  parsed.value.metadata.namespace ||= namespace;
  return parsed.value;
}

function resolveSystemMessage(agent: Agent, resolver: ReferenceResolver, toolNames: string[]): string {
  const spec = agent.spec.declarative;
  const namespace = agent.metadata.namespace ?? '';
  let message: string;
  let field: string;
  if (spec?.systemMessageFrom) {
    field = 'spec.declarative.systemMessageFrom';
    message = resolveValueSource(resolver, namespace, spec.systemMessageFrom, field);
  } else if (spec?.systemMessage) {
    field = 'spec.declarative.systemMessage';
    message = spec.systemMessage;
  } else {
    throw new TranslationError(
      'InvalidAgent',
      'spec.declarative.systemMessage',
      'set systemMessage or systemMessageFrom',
    );
  }
  const template = spec.promptTemplate;
  if (!template) return message;

  const lookup = new Map<string, string>();
  (template.dataSources ?? []).forEach((source, i) => {
    const at = `spec.declarative.promptTemplate.dataSources[${i}]`;
    const kind = source.kind ?? 'ConfigMap';
    if (kind !== 'ConfigMap' && kind !== 'Secret') {
      throw new TranslationError(
        'InvalidAgent',
        `${at}.kind`,
        `"${kind}" is not supported; use ConfigMap or Secret`,
      );
    }
    const data = readSourceData(resolver, kind, namespace, source.name, at);
    const alias = source.alias || source.name;
    for (const [key, value] of Object.entries(data)) lookup.set(`${alias}/${key}`, value);
  });
  try {
    return renderPromptTemplate(
      message,
      {
        AgentName: agent.metadata.name ?? '',
        AgentNamespace: namespace,
        Description: agent.spec.description ?? '',
        ToolNames: toolNames,
        SkillNames: skillNames(agent),
      },
      lookup,
    );
  } catch (e) {
    if (e instanceof PromptTemplateError)
      throw new TranslationError('InvalidPromptTemplate', field, e.message, { cause: e });
    throw e;
  }
}

/** Skill names for templates: the last path segment of each OCI ref (no tag), or the git ref's name. */
function skillNames(agent: Agent): string[] {
  const skills = agent.spec.skills;
  const names = (skills?.refs ?? []).map((ref) => (ref.split('/').pop() ?? ref).split(':')[0] ?? ref);
  for (const git of skills?.gitRefs ?? []) {
    names.push(
      git.name ||
        (git.url
          .replace(/\.git$/, '')
          .split('/')
          .pop() ??
          git.url),
    );
  }
  return names;
}

function translateDeclarative(
  agent: Agent,
  resolver: ReferenceResolver,
  options: TranslateOptions,
): AgentOutputs {
  const spec = agent.spec.declarative;
  if (!spec)
    throw new TranslationError('InvalidAgent', 'spec.declarative', 'is required when type is Declarative');
  const namespace = agent.metadata.namespace ?? '';
  const name = agent.metadata.name ?? '';

  const modelField = 'spec.declarative.modelConfig';
  const model: ModelTranslation = translateModelConfig(
    loadModelConfig(resolver, namespace, spec.modelConfig, modelField),
    resolver,
    modelField,
  );

  checkAgentToolGraph(agent, resolver);
  const knownNamespaces = [namespace, options.controllerNamespace ?? DEFAULT_CONTROLLER_NAMESPACE];
  const httpTools: Record<string, unknown>[] = [];
  const sseTools: Record<string, unknown>[] = [];
  const remoteAgents: Record<string, unknown>[] = [];
  const toolVolumes: WorkloadSpec['trailingVolumes'] = [];
  const toolMounts: WorkloadSpec['trailingMounts'] = [];
  const toolNames: string[] = [];
  (spec.tools ?? []).forEach((tool, i) => {
    const field = `spec.declarative.tools[${i}]`;
    if (tool.type === 'McpServer' && tool.mcpServer) {
      const t = translateMcpServerTool(tool.mcpServer, tool.headersFrom, field, {
        agentNamespace: namespace,
        resolver,
        ...(options.proxyUrl ? { proxyUrl: options.proxyUrl } : {}),
        knownNamespaces,
        ...(options.localMcpServerUrls ? { localMcpServerUrls: true } : {}),
      });
      (t.protocol === 'SSE' ? sseTools : httpTools).push(t.toolset);
      toolVolumes.push(...t.volumes);
      toolMounts.push(...t.volumeMounts);
      toolNames.push(...(tool.mcpServer.toolNames ?? []));
    } else if (tool.type === 'Agent' && tool.agent) {
      remoteAgents.push(
        translateAgentTool(tool.agent, tool.headersFrom, field, {
          agentNamespace: namespace,
          agentName: name,
          resolver,
          ...(options.proxyUrl ? { proxyUrl: options.proxyUrl } : {}),
        }),
      );
    }
  });

  // Keys in kagent's order: config.json is compared byte for byte with kagent's.
  const config: Record<string, unknown> = {
    model: model.model,
    description: agent.spec.description ?? '',
    instruction: resolveSystemMessage(agent, resolver, toolNames),
  };
  if (httpTools.length > 0) config['http_tools'] = httpTools;
  if (sseTools.length > 0) config['sse_tools'] = sseTools;
  if (remoteAgents.length > 0) config['remote_agents'] = remoteAgents;
  if (spec.executeCodeBlocks) config['execute_code'] = true;
  config['stream'] = spec.stream ?? false;
  if (spec.memory) {
    const field = 'spec.declarative.memory.modelConfig';
    const embedding = translateModelConfig(
      loadModelConfig(resolver, namespace, spec.memory.modelConfig, field),
      resolver,
      field,
    ).model;
    const memory: Record<string, unknown> = {};
    if (spec.memory.ttlDays) memory['ttl_days'] = spec.memory.ttlDays;
    memory['embedding'] = {
      provider: embedding['type'],
      model: embedding['model'],
      ...(embedding['base_url'] ? { base_url: embedding['base_url'] } : {}),
    };
    config['memory'] = memory;
  }
  const compaction = spec.context?.compaction;
  if (compaction) {
    const c: Record<string, unknown> = {
      compaction_interval: compaction.compactionInterval,
      overlap_size: compaction.overlapSize,
    };
    if (compaction.summarizer?.modelConfig) {
      const field = 'spec.declarative.context.compaction.summarizer.modelConfig';
      c['summarizer_model'] = translateModelConfig(
        loadModelConfig(resolver, namespace, compaction.summarizer.modelConfig, field),
        resolver,
        field,
      ).model;
    }
    if (compaction.summarizer?.promptTemplate) c['prompt_template'] = compaction.summarizer.promptTemplate;
    if (compaction.tokenThreshold !== undefined) c['token_threshold'] = compaction.tokenThreshold;
    if (compaction.eventRetentionSize !== undefined)
      c['event_retention_size'] = compaction.eventRetentionSize;
    config['context_config'] = { compaction: c };
  }

  const checked = agentConfigSchema.safeParse(config);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new TranslationError(
      'InvalidReference',
      'spec.declarative',
      `the runtime would reject config.json at ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }

  const card = buildAgentCard(agent);
  const configJson = goJson(config);
  const workload: WorkloadSpec = {
    image: withRegistry(options.runtimeImage, spec.deployment?.imageRegistry),
    command: [...(options.runtimeCommand ?? DEFAULT_RUNTIME_COMMAND)],
    args: [...RUNTIME_ARGS],
    extraEnv: model.env,
    leadingVolumes: [{ name: 'config', secret: { secretName: name } }],
    leadingMounts: [{ name: 'config', mountPath: '/config' }],
    trailingVolumes: [...model.volumes, ...toolVolumes],
    trailingMounts: [...model.volumeMounts, ...toolMounts],
    secretData: { 'config.json': configJson, 'agent-card.json': card.json },
    configHash: computeConfigHash([configJson, card.json, ...model.secretValues]),
    a2aAppProtocol: spec.a2aConfig !== undefined,
  };
  return {
    agentCard: card.view,
    config,
    manifest: buildManifest(
      agent,
      spec.deployment,
      'spec.declarative.deployment',
      workload,
      settingsOf(options),
    ),
  };
}

function translateByo(agent: Agent, options: TranslateOptions): AgentOutputs {
  const deployment = agent.spec.byo?.deployment;
  if (!deployment?.image) {
    throw new TranslationError('InvalidAgent', 'spec.byo.deployment.image', 'is required for a BYO agent');
  }
  const card = buildAgentCard(agent);
  const workload: WorkloadSpec = {
    image: deployment.image,
    ...(deployment.cmd ? { command: [deployment.cmd] } : {}),
    ...(deployment.args?.length ? { args: [...deployment.args] } : {}),
    extraEnv: [],
    leadingVolumes: [],
    leadingMounts: [],
    trailingVolumes: [],
    trailingMounts: [],
    secretData: { 'agent-card.json': card.json },
    configHash: computeConfigHash([card.json]),
    a2aAppProtocol: false,
  };
  return {
    agentCard: card.view,
    config: null,
    manifest: buildManifest(agent, deployment, 'spec.byo.deployment', workload, settingsOf(options)),
  };
}
