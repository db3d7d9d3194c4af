import type { Agent } from '@agentplane/crds/kagent';
import { goJson } from './go-json.js';
import { AGENT_PORT } from './agent-tools.js';

/** A2A protocol versions every agent serves. */
export const A2A_PROTOCOL_VERSIONS = ['0.3', '1.0'] as const;

type Skill = NonNullable<
  NonNullable<NonNullable<Agent['spec']['declarative']>['a2aConfig']>['skills']
>[number];

/** The agent card as A2A v1.0 describes it (no `url`; interfaces only). */
export interface AgentCardView {
  name: string;
  description: string;
  version: string;
  capabilities: { streaming: boolean };
  defaultInputModes: string[];
  defaultOutputModes: string[];
  /** null when the agent declares no skills. */
  skills: Record<string, unknown>[] | null;
  supportedInterfaces: { protocolBinding: string; protocolVersion: string; url: string }[];
}

export interface AgentCardTranslation {
  view: AgentCardView;
  /** `agent-card.json` as mounted into the pod: a v0.3 card that also lists the v1.0 interfaces. */
  json: string;
}

function skillJson(skill: Skill, withId: boolean): Record<string, unknown> {
  // Alphabetical, as kagent writes skills; `tags` is always present (null when unset).
  const s: Record<string, unknown> = { description: skill.description ?? '' };
  if (skill.examples?.length) s['examples'] = skill.examples;
  if (withId) s['id'] = skill.id ?? '';
  if (skill.inputModes?.length) s['inputModes'] = skill.inputModes;
  s['name'] = skill.name;
  if (skill.outputModes?.length) s['outputModes'] = skill.outputModes;
  s['tags'] = skill.tags ?? null;
  return s;
}

/** The agent card of an Agent, served at `http://<name>.<namespace>:8080`. */
export function buildAgentCard(agent: Agent): AgentCardTranslation {
  const name = (agent.metadata.name ?? '').replaceAll('-', '_');
  const url = `http://${agent.metadata.name ?? ''}.${agent.metadata.namespace ?? ''}:${AGENT_PORT}`;
  const description = agent.spec.description ?? '';
  const skills = agent.spec.declarative?.a2aConfig?.skills ?? [];
  const file = {
    defaultInputModes: ['text'],
    defaultOutputModes: ['text'],
    description,
    name,
    version: '',
    skills: skills.map((s) => skillJson(s, true)),
    capabilities: { streaming: true },
    supportedInterfaces: A2A_PROTOCOL_VERSIONS.map((v) => ({
      url,
      protocolBinding: 'JSONRPC',
      protocolVersion: v,
    })),
    url,
    protocolVersion: '0.3',
    preferredTransport: 'JSONRPC',
  };
  const view: AgentCardView = {
    capabilities: { streaming: true },
    defaultInputModes: ['text'],
    defaultOutputModes: ['text'],
    description,
    name,
    skills: skills.length > 0 ? skills.map((s) => skillJson(s, false)) : null,
    supportedInterfaces: A2A_PROTOCOL_VERSIONS.map((v) => ({
      protocolBinding: 'JSONRPC',
      protocolVersion: v,
      url,
    })),
    version: '',
  };
  return { view, json: goJson(file, '  ') };
}
