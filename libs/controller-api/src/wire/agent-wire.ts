import { DEFAULT_MODEL_CONFIG_NAME } from '@agentplane/crds/kagent';
import { agentDbId } from '../agent-id.js';
import type { ResourceStore, StoredResource } from '../resource-store.js';

interface Condition {
  type?: string;
  status?: string;
}

function conditionTrue(resource: StoredResource, type: string): boolean {
  const status = resource.status as { conditions?: Condition[] } | undefined;
  return (status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

type ToolEntry = Record<string, unknown> & {
  mcpServer?: Record<string, unknown>;
  agent?: Record<string, unknown>;
};

/** kagent's `AgentResponse`. */
export interface AgentWire {
  id: string;
  agent: StoredResource;
  modelProvider: string;
  model: string;
  modelConfigRef: string;
  memoryRefs: string[];
  tools: ToolEntry[];
  deploymentReady: boolean;
  accepted: boolean;
}

/** The agent with what the UI shows next to it: its model, its tools (namespaces filled in), readiness. */
export async function agentWire(resources: ResourceStore, agent: StoredResource): Promise<AgentWire> {
  const { namespace, name } = agent.metadata;
  const spec = (agent.spec ?? {}) as {
    declarative?: { modelConfig?: string; tools?: ToolEntry[] };
  };
  const modelConfigName = spec.declarative
    ? (spec.declarative.modelConfig ?? DEFAULT_MODEL_CONFIG_NAME)
    : undefined;
  const modelConfig = modelConfigName
    ? await resources.get({ kind: 'ModelConfig', namespace, name: modelConfigName })
    : undefined;
  const modelSpec = (modelConfig?.spec ?? {}) as { provider?: string; model?: string };
  const tools = (spec.declarative?.tools ?? []).map((tool): ToolEntry => {
    if (tool.mcpServer) return { ...tool, mcpServer: { namespace, ...tool.mcpServer } };
    if (tool.agent) return { ...tool, agent: { namespace, ...tool.agent } };
    return tool;
  });
  return {
    id: agentDbId({ namespace, name }),
    agent,
    modelProvider: modelSpec.provider ?? '',
    model: modelSpec.model ?? '',
    modelConfigRef: modelConfigName ? `${namespace}/${modelConfigName}` : '',
    memoryRefs: [],
    tools,
    deploymentReady: conditionTrue(agent, 'Ready'),
    accepted: conditionTrue(agent, 'Accepted'),
  };
}
