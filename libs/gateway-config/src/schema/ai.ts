// The LLM side of the config (ai backends, the `ai` policy, the `llm:` shorthand) is validated
// and carried into the model as is; `@agentplane/llm-gateway` compiles and serves it.
import { z } from 'zod';
import { backendTLS, llmBackendAuth, unsupported } from './backend-security.js';
import { headerModifier, looseObject, oneOfKeys, port, stringMap, stringMatch } from './common.js';

export const simpleBackendRef = oneOfKeys(
  'backend reference',
  {},
  {
    service: z.strictObject({ name: z.string(), port }),
    host: z.string(),
    backend: z.string(),
  },
);

const regexRules = z.strictObject({
  action: z.enum(['mask', 'reject']).optional(),
  rules: z.array(
    z.union([
      z.strictObject({ builtin: z.enum(['ssn', 'creditCard', 'phoneNumber', 'email', 'caSin']) }),
      z.strictObject({ pattern: z.string() }),
    ]),
  ),
});
export const headerMatch = z.strictObject({ name: z.string(), value: stringMatch });
const webhook = z.strictObject({
  target: simpleBackendRef,
  headers: stringMap.optional(),
  forwardHeaderMatches: z.array(headerMatch).optional(),
  failureMode: z.enum(['failClosed', 'failOpen']).optional(),
});
const rejection = z.strictObject({
  body: z.union([z.string(), z.array(z.number().int().min(0).max(255))]).optional(),
  status: z.number().int().min(100).max(599).optional(),
  headers: headerModifier.nullish(),
});
const moderation = z.strictObject({
  model: z.string().nullish(),
  policies: unsupported('moderation.policies').optional(),
});
const guardKinds = {
  regex: regexRules,
  webhook,
  bedrockGuardrails: unsupported('bedrockGuardrails'),
  googleModelArmor: unsupported('googleModelArmor'),
  azureContentSafety: unsupported('azureContentSafety'),
};
const requestGuard = oneOfKeys(
  'request guard',
  {
    rejection: rejection.optional(),
    scope: z.array(z.enum(['systemPrompt', 'messages', 'toolOutput', 'toolInput'])).optional(),
  },
  { ...guardKinds, openAIModeration: moderation },
);
// `openAIModeration` on responses is an Agentplane extension (agentgateway has it on requests only).
const responseGuard = oneOfKeys(
  'response guard',
  { rejection: rejection.optional() },
  { ...guardKinds, openAIModeration: moderation },
);
export const promptGuard = z.strictObject({
  streaming: z.enum(['Disabled', 'Enabled']).optional(),
  request: z.array(requestGuard).optional(),
  response: z.array(responseGuard).optional(),
});

const chatMessage = z.strictObject({ role: z.string(), content: z.string() });
const routeType = z.enum([
  'completions',
  'messages',
  'models',
  'passthrough',
  'detect',
  'responses',
  'embeddings',
  'realtime',
  'anthropicTokenCount',
  'generateContent',
  'geminiCountTokens',
  'rerank',
]);

/** Cache markers for providers that take them (Anthropic, Bedrock); `ai` policies and `llm:` models. */
export const promptCaching = z.strictObject({
  cacheSystem: z.boolean().optional(),
  cacheMessages: z.boolean().optional(),
  cacheTools: z.boolean().optional(),
  minTokens: z.number().int().min(0).nullish(),
  cacheMessageOffset: z.number().int().min(0).optional(),
});

/** agentgateway's `ai` policy (route or backend level). */
export const aiPolicy = z.strictObject({
  promptGuard: promptGuard.nullish(),
  defaults: looseObject.optional(),
  overrides: looseObject.optional(),
  transformations: stringMap.optional(),
  finalTransformations: stringMap.optional(),
  prompts: z
    .strictObject({ append: z.array(chatMessage).optional(), prepend: z.array(chatMessage).optional() })
    .nullish(),
  modelAliases: stringMap.optional(),
  promptCaching: promptCaching.nullish(),
  routes: z.record(z.string(), routeType).optional(),
});

const model = { model: z.string().nullish() };
const providerFormat = z.strictObject({
  type: z.enum([
    'completions',
    'messages',
    'responses',
    'embeddings',
    'anthropicTokenCount',
    'generateContent',
    'geminiCountTokens',
    'realtime',
    'rerank',
  ]),
  path: z.string().nullish(),
});
export const customProvider = z.strictObject({
  ...model,
  providerOverride: z.string().nullish(),
  formats: z.array(providerFormat),
});
export const aiProvider = oneOfKeys(
  'provider',
  {},
  {
    openAI: z.strictObject({ ...model, moderation: looseObject.nullish() }),
    gemini: z.strictObject(model),
    vertex: z.strictObject({ ...model, region: z.string().nullish(), projectId: z.string() }),
    anthropic: z.strictObject(model),
    bedrock: z.strictObject({
      ...model,
      region: z.string(),
      guardrailIdentifier: z.string().nullish(),
      guardrailVersion: z.string().nullish(),
    }),
    azure: z.strictObject({
      ...model,
      resourceName: z.string(),
      resourceType: z.enum(['openAI', 'foundry', 'aiServices']),
      apiVersion: z.string().nullish(),
      projectName: z.string().nullish(),
    }),
    copilot: z.strictObject(model),
    custom: customProvider,
  },
);

const aiBackendPolicies = z.strictObject({
  requestHeaderModifier: headerModifier.nullish(),
  responseHeaderModifier: headerModifier.nullish(),
  backendTLS: backendTLS.nullish(),
  backendAuth: llmBackendAuth.nullish(),
  ai: aiPolicy.nullish(),
});

export const namedAiProvider = z.strictObject({
  name: z.string(),
  provider: aiProvider,
  hostOverride: z.string().nullish(),
  pathOverride: z.string().nullish(),
  pathPrefix: z.string().nullish(),
  tokenize: z.boolean().optional(),
  policies: aiBackendPolicies.nullish(),
});

/** `ai:` backend: one named provider, or priority groups of providers. */
export const aiBackend = z.union([
  namedAiProvider,
  z.strictObject({ groups: z.array(z.strictObject({ providers: z.array(namedAiProvider) })) }),
]);
