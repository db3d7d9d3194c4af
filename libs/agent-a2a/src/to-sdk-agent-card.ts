import type { AgentCard } from '@a2a-js/sdk';
import type { AgentCardConfig } from '@agentplane/agent-config';

export interface ToSdkAgentCardOptions {
  /** Serve these URLs instead of the card's own (the address the agent is really reached at). */
  readonly publicUrl?: string;
  /** Advertise push notifications. */
  readonly pushNotifications?: boolean;
}

/** kagent's `agent-card.json` as the SDK's v1.0 card; the SDK renders the v0.3 form from it. */
export function toSdkAgentCard(card: AgentCardConfig, options: ToSdkAgentCardOptions = {}): AgentCard {
  const interfaces = card.supportedInterfaces.map((i) => ({
    url: options.publicUrl ?? i.url,
    protocolBinding: i.protocolBinding,
    protocolVersion: i.protocolVersion,
    tenant: i.tenant ?? '',
  }));
  // Both wire versions are served on the same URL; advertise both even if the file lists one.
  for (const version of ['0.3', '1.0']) {
    if (!interfaces.some((i) => i.protocolVersion === version && i.protocolBinding === 'JSONRPC')) {
      interfaces.push({
        url: options.publicUrl ?? interfaces[0]?.url ?? '',
        protocolBinding: 'JSONRPC',
        protocolVersion: version,
        tenant: '',
      });
    }
  }
  return {
    name: card.name,
    description: card.description,
    supportedInterfaces: interfaces,
    provider: undefined,
    version: card.version === '' ? '0.0.0' : card.version,
    documentationUrl: card.documentationUrl ?? undefined,
    iconUrl: card.iconUrl ?? undefined,
    capabilities: {
      streaming: true,
      pushNotifications: options.pushNotifications ?? card.capabilities.pushNotifications,
      extensions: [],
      extendedAgentCard: false,
    },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: card.defaultInputModes.length > 0 ? card.defaultInputModes : ['text'],
    defaultOutputModes: card.defaultOutputModes.length > 0 ? card.defaultOutputModes : ['text'],
    skills: card.skills.map((s) => ({
      id: s.id,
      name: s.name,
      description: s.description,
      tags: s.tags,
      examples: s.examples,
      inputModes: s.inputModes,
      outputModes: s.outputModes,
      securityRequirements: [],
    })),
    signatures: [],
  };
}
