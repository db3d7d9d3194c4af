import type { AgentCard } from '@a2a-js/sdk';

const LEGACY_VERSION = /^0\.3(\.|$)/;

/**
 * The v0.3 form of a v1.0 card, as v0.3 clients read it: `url`, `preferredTransport` and
 * `protocolVersion` from the first v0.3 interface, the other v0.3 interfaces as
 * `additionalInterfaces`, and the v1.0 `supportedInterfaces` kept alongside.
 */
export function toLegacyAgentCard(card: AgentCard): Record<string, unknown> {
  const legacy = card.supportedInterfaces.filter((i) => LEGACY_VERSION.test(i.protocolVersion));
  const main = legacy[0] ?? card.supportedInterfaces[0];
  const out: Record<string, unknown> = {
    name: card.name,
    description: card.description,
    version: card.version,
    url: main?.url ?? '',
    preferredTransport: main?.protocolBinding ?? 'JSONRPC',
    protocolVersion: main && LEGACY_VERSION.test(main.protocolVersion) ? main.protocolVersion : '0.3',
  };
  if (legacy.length > 1) {
    out['additionalInterfaces'] = legacy.map((i) => ({ url: i.url, transport: i.protocolBinding }));
  }
  if (card.provider) out['provider'] = { organization: card.provider.organization, url: card.provider.url };
  if (card.documentationUrl) out['documentationUrl'] = card.documentationUrl;
  if (card.iconUrl) out['iconUrl'] = card.iconUrl;
  out['capabilities'] = {
    streaming: card.capabilities?.streaming ?? false,
    pushNotifications: card.capabilities?.pushNotifications ?? false,
  };
  out['defaultInputModes'] = card.defaultInputModes;
  out['defaultOutputModes'] = card.defaultOutputModes;
  out['skills'] = card.skills.map((s) => ({
    id: s.id,
    name: s.name,
    description: s.description,
    tags: s.tags,
    ...(s.examples.length > 0 ? { examples: s.examples } : {}),
    ...(s.inputModes.length > 0 ? { inputModes: s.inputModes } : {}),
    ...(s.outputModes.length > 0 ? { outputModes: s.outputModes } : {}),
  }));
  out['supportsAuthenticatedExtendedCard'] = card.capabilities?.extendedAgentCard ?? false;
  out['supportedInterfaces'] = card.supportedInterfaces;
  return out;
}
