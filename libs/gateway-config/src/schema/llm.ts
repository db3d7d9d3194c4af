// The `llm:` shorthand: validated and carried; `@agentplane/llm-gateway` serves it.
import { z } from 'zod';
import { customProvider, headerMatch, promptCaching, promptGuard } from './ai.js';
import { backendTLS, llmBackendAuth, unsupported } from './backend-security.js';
import { fileOrInline, headerModifier, looseObject, port, stringMap } from './common.js';
import { apiKey, basicAuth, cors, jwtAuth, rateLimitSpec, ruleSet } from './policies.js';

const llmProviderName = z.union([
  z.enum(['openai', 'openAI', 'gemini', 'vertex', 'anthropic', 'bedrock', 'azure', 'copilot']),
  z.enum([
    'cohere',
    'ollama',
    'baseten',
    'cerebras',
    'deepinfra',
    'deepseek',
    'groq',
    'huggingface',
    'mistral',
    'openrouter',
    'togetherai',
    'xai',
    'fireworks',
  ]),
  z.strictObject({ reference: z.string() }),
  z.strictObject({ custom: customProvider }),
]);

const llmParams = z.strictObject({
  model: z.string().nullish(),
  apiKey: fileOrInline.nullish(),
  awsRegion: z.string().nullish(),
  vertexRegion: z.string().nullish(),
  vertexProject: z.string().nullish(),
  azureResourceName: z.string().nullish(),
  azureResourceType: z.enum(['openAI', 'foundry', 'aiServices']).nullish(),
  azureApiVersion: z.string().nullish(),
  azureProjectName: z.string().nullish(),
  baseUrl: z.string().nullish(),
  hostOverride: z.string().nullish(),
  pathOverride: z.string().nullish(),
  pathPrefix: z.string().nullish(),
  tokenize: z.boolean().optional(),
});

const llmModel = z.strictObject({
  id: z.string().nullish(),
  name: z.string(),
  visibility: z.enum(['public', 'internal']).optional(),
  params: llmParams.optional(),
  provider: llmProviderName,
  passthrough: z.enum(['detect', 'opaque']).nullish(),
  authorization: ruleSet.nullish(),
  defaults: looseObject.nullish(),
  overrides: looseObject.nullish(),
  transformation: stringMap.nullish(),
  finalTransformation: stringMap.nullish(),
  requestHeaders: headerModifier.nullish(),
  responseHeaders: headerModifier.nullish(),
  backendTLS: backendTLS.nullish(),
  tls: backendTLS.nullish(),
  auth: llmBackendAuth.nullish(),
  health: unsupported('health').optional(),
  backendTunnel: unsupported('backendTunnel').optional(),
  guardrails: promptGuard.nullish(),
  promptCaching: promptCaching.nullish(),
  matches: z.array(z.strictObject({ headers: z.array(headerMatch).optional() })).optional(),
});

const llmProvider = z.strictObject({
  name: z.string(),
  params: llmParams.optional(),
  provider: llmProviderName,
  /** Provider-level policy defaults; `promptCaching` applies to models without their own. */
  defaults: z.looseObject({ promptCaching: promptCaching.nullish() }).nullish(),
});

/** The `llm:` shorthand: an OpenAI-compatible LLM gateway on one port. */
export const llmShorthand = z.strictObject({
  gateways: z.union([z.string(), z.array(z.string())]).optional(),
  port: port.nullish(),
  tls: unsupported('llm.tls').optional(),
  providers: z.array(llmProvider).optional(),
  models: z.array(llmModel),
  virtualModels: z.array(z.strictObject({ name: z.string(), routing: looseObject })).optional(),
  policies: z
    .strictObject({
      jwtAuth: jwtAuth.nullish(),
      authorization: ruleSet.nullish(),
      cors: cors.nullish(),
      basicAuth: basicAuth.nullish(),
      apiKey: apiKey.nullish(),
      guardrails: promptGuard.nullish(),
      localRateLimit: z.array(rateLimitSpec).optional(),
      remoteRateLimit: unsupported('remoteRateLimit').optional(),
      oidc: unsupported('oidc').optional(),
      extAuthz: unsupported('extAuthz').optional(),
      extProc: unsupported('extProc').optional(),
      transformations: unsupported('transformations').optional(),
    })
    .nullish(),
});
