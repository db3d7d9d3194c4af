// `config.modelCatalog`: model prices (agentgateway's catalog format). Prices are decimal strings
// per million tokens; later sources replace whole model entries of earlier ones.
import { z } from 'zod';

/** A non-negative decimal with at most 6 fractional digits, as a string ("2.50"). */
export const money = z
  .string()
  .regex(/^\d+(\.\d{1,6})?$/, 'expected a non-negative decimal string with at most 6 fractional digits');

const rates = z.strictObject({
  input: money.nullish(),
  output: money.nullish(),
  cacheRead: money.nullish(),
  cacheWrite: money.nullish(),
  reasoning: money.nullish(),
  inputAudio: money.nullish(),
  outputAudio: money.nullish(),
});

const catalogModel = z
  .strictObject({
    rates: rates.optional(),
    tiers: z.array(z.strictObject({ contextOver: z.number().int().min(0), rates })).optional(),
    tags: z.array(z.string()).optional(),
  })
  .superRefine((m, ctx) => {
    const tiers = m.tiers ?? [];
    for (let i = 1; i < tiers.length; i++) {
      if ((tiers[i]?.contextOver ?? 0) <= (tiers[i - 1]?.contextOver ?? 0))
        ctx.addIssue({
          code: 'custom',
          path: ['tiers', i, 'contextOver'],
          message: 'tier thresholds must be strictly increasing',
        });
    }
  });

/**
 * `{providers: {<provider>: {models: {<model>: {rates, tiers}}}}}`. Provider keys are
 * `gen_ai.provider.name` / `gen_ai.system` values (`openai`, `anthropic`, `gcp.gemini`,
 * `aws.bedrock`, ...); model keys are model ids, and (Agentplane extension) may use `*` wildcards.
 */
export const modelCatalog = z.strictObject({
  providers: z
    .record(z.string(), z.strictObject({ models: z.record(z.string(), catalogModel).optional() }))
    .optional(),
});

/** A catalog given as JSON text (a file's content, or `inline: "<json>"`). */
export const modelCatalogText = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `not valid JSON: ${(e as Error).message}` });
      return z.NEVER;
    }
  })
  .pipe(modelCatalog);

export const modelCatalogSource = z.union([
  z.strictObject({ file: z.string().min(1) }),
  z.strictObject({ inline: z.union([modelCatalogText, modelCatalog]) }),
]);
