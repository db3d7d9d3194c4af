import * as z from 'zod';
import { nullishArray } from './nullish-array.js';

const skillSchema = z
  .object({
    id: z.string().nullish(),
    name: z.string().min(1),
    description: z
      .string()
      .nullish()
      .transform((v) => v ?? ''),
    tags: nullishArray(z.string()),
    examples: nullishArray(z.string()),
    inputModes: nullishArray(z.string()),
    outputModes: nullishArray(z.string()),
  })
  // kagent leaves out the id when the skill was written without one; the name stands in.
  .transform((s) => ({ ...s, id: s.id ?? s.name }));

const interfaceSchema = z.object({
  url: z.string().min(1),
  protocolBinding: z.string().min(1),
  protocolVersion: z.string().min(1),
  tenant: z.string().optional(),
});

/**
 * kagent's `agent-card.json`: a v0.3 card (`url`, `protocolVersion`, `preferredTransport`) that
 * also lists the v1.0 `supportedInterfaces`. Either half alone is accepted.
 */
export const agentCardSchema = z
  .object({
    name: z.string().min(1),
    description: z
      .string()
      .nullish()
      .transform((v) => v ?? ''),
    version: z
      .string()
      .nullish()
      .transform((v) => v ?? ''),
    url: z.string().optional(),
    protocolVersion: z.string().optional(),
    preferredTransport: z.string().optional(),
    supportedInterfaces: nullishArray(interfaceSchema),
    capabilities: z
      .object({
        streaming: z.boolean().nullish(),
        pushNotifications: z.boolean().nullish(),
        stateTransitionHistory: z.boolean().nullish(),
      })
      .nullish()
      .transform((c) => ({
        streaming: c?.streaming ?? false,
        pushNotifications: c?.pushNotifications ?? false,
      })),
    defaultInputModes: nullishArray(z.string()),
    defaultOutputModes: nullishArray(z.string()),
    skills: nullishArray(skillSchema),
    documentationUrl: z.string().nullish(),
    iconUrl: z.string().nullish(),
  })
  .superRefine((card, ctx) => {
    if (card.supportedInterfaces.length === 0 && !card.url) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'a card needs url or supportedInterfaces' });
    }
  })
  .transform((card) => {
    const interfaces =
      card.supportedInterfaces.length > 0
        ? card.supportedInterfaces
        : [
            {
              url: card.url ?? '',
              protocolBinding: card.preferredTransport ?? 'JSONRPC',
              protocolVersion: '0.3',
            },
          ];
    return { ...card, supportedInterfaces: interfaces };
  });

export type AgentCardConfig = z.output<typeof agentCardSchema>;
export type AgentSkillConfig = AgentCardConfig['skills'][number];
