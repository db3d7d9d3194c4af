import * as z from 'zod/mini';
import { nonEmptyString, nullishArray, nullishString } from './nullish-array.js';

const skillSchema = z.pipe(
  z.object({
    id: z.nullish(z.string()),
    name: nonEmptyString(),
    description: nullishString(),
    tags: nullishArray(z.string()),
    examples: nullishArray(z.string()),
    inputModes: nullishArray(z.string()),
    outputModes: nullishArray(z.string()),
  }),
  // kagent leaves out the id when the skill was written without one; the name stands in.
  z.transform((s) => ({ ...s, id: s.id ?? s.name })),
);

const interfaceSchema = z.object({
  url: nonEmptyString(),
  protocolBinding: nonEmptyString(),
  protocolVersion: nonEmptyString(),
  tenant: z.optional(z.string()),
});

/**
 * kagent's `agent-card.json`: a v0.3 card (`url`, `protocolVersion`, `preferredTransport`) that
 * also lists the v1.0 `supportedInterfaces`. Either half alone is accepted.
 */
export const agentCardSchema = z.pipe(
  z
    .object({
      name: nonEmptyString(),
      description: nullishString(),
      version: nullishString(),
      url: z.optional(z.string()),
      protocolVersion: z.optional(z.string()),
      preferredTransport: z.optional(z.string()),
      supportedInterfaces: nullishArray(interfaceSchema),
      capabilities: z.pipe(
        z.nullish(
          z.object({
            streaming: z.nullish(z.boolean()),
            pushNotifications: z.nullish(z.boolean()),
            stateTransitionHistory: z.nullish(z.boolean()),
          }),
        ),
        z.transform((c) => ({
          streaming: c?.streaming ?? false,
          pushNotifications: c?.pushNotifications ?? false,
        })),
      ),
      defaultInputModes: nullishArray(z.string()),
      defaultOutputModes: nullishArray(z.string()),
      skills: nullishArray(skillSchema),
      documentationUrl: z.nullish(z.string()),
      iconUrl: z.nullish(z.string()),
    })
    .check(
      z.superRefine((card, ctx) => {
        if (card.supportedInterfaces.length === 0 && !card.url) {
          ctx.addIssue({
            code: 'custom',
            path: ['url'],
            message: 'a card needs url or supportedInterfaces',
            input: card.url,
          });
        }
      }),
    ),
  z.transform((card) => {
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
  }),
);

export type AgentCardConfig = z.output<typeof agentCardSchema>;
export type AgentSkillConfig = AgentCardConfig['skills'][number];
