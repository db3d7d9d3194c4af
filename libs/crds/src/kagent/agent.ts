import { z } from 'zod';
import { conditionsStatusFields } from '../common/conditions.js';
import { addFieldIssue, atMostOneOf } from '../common/field-rules.js';
import { parseOnlyDefault } from '../common/meta.js';
import { objectMetaSchema } from '../common/object-meta.js';
import { k8sType } from '../k8s/k8s-type.js';
import {
  allowedNamespacesSchema,
  sharedDeploymentFields,
  sharedDeploymentRules,
  valueRefSchema,
  valueSourceSchema,
} from './shared.js';

/** Name of the ModelConfig an agent uses when it names none. */
export const DEFAULT_MODEL_CONFIG_NAME = 'default-model-config';

/** A reference to an MCP server (RemoteMCPServer, MCPServer or Service) and the tools used from it. */
export const mcpServerToolSchema = z
  .object({
    apiGroup: z.string().optional(),
    kind: z.string().optional(),
    name: z.string(),
    namespace: z.string().optional(),
    toolNames: z.array(z.string()).max(50).optional(),
    requireApproval: z.array(z.string()).max(50).optional(),
    allowedHeaders: z.array(z.string()).optional(),
  })
  .superRefine((server, ctx) => {
    const names = new Set(server.toolNames ?? []);
    (server.requireApproval ?? []).forEach((tool, i) => {
      if (!names.has(tool)) {
        addFieldIssue(
          ctx,
          server,
          `"${tool}" needs approval but is not in {{toolNames}}; every requireApproval entry must also be listed in toolNames`,
          ['requireApproval', i],
        );
      }
    });
  });
export type McpServerTool = z.infer<typeof mcpServerToolSchema>;

/** A reference to another Agent used as a tool. */
export const agentToolReferenceSchema = z.object({
  apiGroup: z.string().optional(),
  kind: z.string().optional(),
  name: z.string(),
  namespace: z.string().optional(),
});

export const TOOL_TYPES = ['McpServer', 'Agent'] as const;

/** One tool of a declarative agent: an MCP server's tools or another agent. */
export const agentToolSchema = z
  .object({
    type: z.enum(TOOL_TYPES).optional(),
    mcpServer: mcpServerToolSchema.optional(),
    agent: agentToolReferenceSchema.optional(),
    headersFrom: z.array(valueRefSchema).optional(),
  })
  .superRefine((tool, ctx) => {
    if (tool.type === undefined) {
      addFieldIssue(
        ctx,
        tool,
        '{{type}} is required: set it to McpServer (with {{mcpServer}}) or Agent (with {{agent}})',
        ['type'],
      );
      return;
    }
    const block = tool.type === 'McpServer' ? 'mcpServer' : 'agent';
    const other = tool.type === 'McpServer' ? 'agent' : 'mcpServer';
    if (tool[block] === undefined) {
      addFieldIssue(ctx, tool, `{{${block}}} is required when {{type}} is ${tool.type}`, [block]);
    }
    if (tool[other] !== undefined) {
      addFieldIssue(ctx, tool, `{{${other}}} must not be set when {{type}} is ${tool.type}`, [other]);
    }
  });
export type AgentTool = z.infer<typeof agentToolSchema>;

/** An A2A skill advertised in the agent card. */
export const agentSkillSchema = z.object({
  id: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  tags: z.array(z.string()).max(20).optional(),
  examples: z.array(z.string()).max(20).optional(),
  inputModes: z.array(z.string()).optional(),
  outputModes: z.array(z.string()).optional(),
});

export const a2aConfigSchema = z.object({
  skills: z.array(agentSkillSchema).min(1).optional(),
});

/** A ConfigMap (or other object) whose keys the system message template may include. */
export const promptSourceSchema = z.object({
  kind: z.string().optional(),
  apiGroup: z.string().optional(),
  name: z.string(),
  alias: z.string().optional(),
});

export const promptTemplateSchema = z.object({
  dataSources: z.array(promptSourceSchema).max(20).optional(),
});

export const memorySchema = z.object({
  modelConfig: z.string(),
  ttlDays: z.int().min(1).optional(),
});

export const contextCompressionSchema = z.object({
  compactionInterval: z.int().min(1).default(5),
  overlapSize: z.int().min(0).default(2),
  summarizer: z
    .object({
      modelConfig: z.string().optional(),
      promptTemplate: z.string().optional(),
    })
    .optional(),
  tokenThreshold: z.int().optional(),
  eventRetentionSize: z.int().optional(),
});

export const contextConfigSchema = z.object({
  compaction: contextCompressionSchema.optional(),
});

export const declarativeDeploymentSpecSchema = z
  .object({
    imageRegistry: z.string().optional(),
    ...sharedDeploymentFields,
  })
  .superRefine(sharedDeploymentRules);

export const declarativeAgentSpecSchema = z
  .object({
    runtime: z.enum(['python', 'go']).default('python'),
    systemMessage: z.string().optional(),
    systemMessageFrom: valueSourceSchema.optional(),
    promptTemplate: promptTemplateSchema.optional(),
    modelConfig: parseOnlyDefault(z.string(), DEFAULT_MODEL_CONFIG_NAME),
    stream: z.boolean().optional(),
    tools: z.array(agentToolSchema).max(20).optional(),
    deployment: declarativeDeploymentSpecSchema.optional(),
    executeCodeBlocks: z.boolean().optional(),
    a2aConfig: a2aConfigSchema.optional(),
    memory: memorySchema.optional(),
    context: contextConfigSchema.optional(),
  })
  .superRefine(atMostOneOf(['systemMessage', 'systemMessageFrom']));
export type DeclarativeAgentSpec = z.infer<typeof declarativeAgentSpecSchema>;

export const byoDeploymentSpecSchema = z
  .object({
    image: z.string().min(1).optional(),
    cmd: z.string().optional(),
    args: z.array(z.string()).optional(),
    workingDir: z.string().optional(),
    ...sharedDeploymentFields,
  })
  .superRefine(sharedDeploymentRules);

export const byoAgentSpecSchema = z.object({
  deployment: byoDeploymentSpecSchema.optional(),
});

export const gitRepoSchema = z.object({
  url: z.string(),
  ref: z.string().default('main'),
  path: z.string().optional(),
  name: z.string().optional(),
});

export const skillsSpecSchema = z.object({
  refs: z.array(z.string()).min(1).max(20).optional(),
  gitRefs: z.array(gitRepoSchema).min(1).max(20).optional(),
  gitAuthSecretRef: k8sType('io.k8s.api.core.v1.LocalObjectReference').optional(),
  imagePullSecrets: z.array(k8sType('io.k8s.api.core.v1.LocalObjectReference')).max(20).optional(),
  insecureSkipVerify: z.boolean().optional(),
  initContainer: z
    .object({
      env: z.array(k8sType('io.k8s.api.core.v1.EnvVar')).optional(),
      resources: k8sType('io.k8s.api.core.v1.ResourceRequirements').optional(),
    })
    .optional(),
});

export const sandboxSpecSchema = z.object({
  network: z
    .object({
      allowedDomains: z.array(z.string()).optional(),
    })
    .optional(),
});

export const AGENT_TYPES = ['Declarative', 'BYO'] as const;

export const agentSpecSchema = z
  .object({
    type: z.enum(AGENT_TYPES).default('Declarative'),
    declarative: declarativeAgentSpecSchema.optional(),
    byo: byoAgentSpecSchema.optional(),
    description: z.string().optional(),
    skills: skillsSpecSchema.optional(),
    sandbox: sandboxSpecSchema.optional(),
    allowedNamespaces: allowedNamespacesSchema.optional(),
  })
  .superRefine((spec, ctx) => {
    const block = spec.type === 'BYO' ? 'byo' : 'declarative';
    if (spec[block] === undefined) {
      addFieldIssue(ctx, spec, `{{${block}}} is required when {{type}} is ${spec.type}`, [block]);
    }
  });
export type AgentSpec = z.infer<typeof agentSpecSchema>;

export const agentStatusSchema = z.object({
  ...conditionsStatusFields,
});
export type AgentStatus = z.infer<typeof agentStatusSchema>;

/** kagent.dev/v1alpha2 Agent. */
export const agentSchema = z.object({
  apiVersion: z.literal('kagent.dev/v1alpha2'),
  kind: z.literal('Agent'),
  metadata: objectMetaSchema,
  spec: agentSpecSchema,
  status: agentStatusSchema.optional(),
});
export type Agent = z.infer<typeof agentSchema>;
/** An Agent as written by a user, before defaults. */
export type AgentInput = z.input<typeof agentSchema>;
