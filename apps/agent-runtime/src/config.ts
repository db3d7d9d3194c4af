import { parseArgs } from 'node:util';
import type { ProviderCredentials } from '@agentplane/llm-client';
import { en } from 'zod/locales';
import * as z from 'zod/mini';

/** Everything the runtime reads from its command line and environment, parsed once. */
export interface RuntimeSettings {
  readonly host: string;
  readonly port: number;
  /** Folder with `config.json` and `agent-card.json`. */
  readonly filepath: string;
  /** Serve the card with this URL instead of the file's (local runs). */
  readonly publicUrl: string | undefined;
  readonly namespace: string;
  readonly agentName: string;
  /** Controller base URL; sessions and tasks go there when set. */
  readonly controllerUrl: string | undefined;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  readonly credentials: ProviderCredentials;
  readonly maxIterations: number;
  readonly llmTimeoutMs: number;
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  readonly code = 'SETTINGS_INVALID';
}

const optionalString = () => z.optional(z.string());

const envSchema = z.object({
  KAGENT_NAMESPACE: z._default(z.string(), 'default'),
  KAGENT_NAME: optionalString(),
  KAGENT_URL: z.optional(z.url()),
  LOG_LEVEL: z._default(z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']), 'info'),
  AGENT_MAX_ITERATIONS: z._default(z.pipe(z.coerce.number(), z.int().check(z.positive())), 25),
  AGENT_LLM_TIMEOUT_SECONDS: z._default(z.coerce.number().check(z.positive()), 120),
  OPENAI_API_KEY: optionalString(),
  ANTHROPIC_API_KEY: optionalString(),
  AZURE_OPENAI_API_KEY: optionalString(),
  AZURE_OPENAI_ENDPOINT: optionalString(),
  OPENAI_API_VERSION: optionalString(),
  GOOGLE_API_KEY: optionalString(),
  GEMINI_API_KEY: optionalString(),
  OLLAMA_API_BASE: optionalString(),
  AWS_BEARER_TOKEN_BEDROCK: optionalString(),
  AWS_REGION: optionalString(),
  AWS_ACCESS_KEY_ID: optionalString(),
  AWS_SECRET_ACCESS_KEY: optionalString(),
  AWS_SESSION_TOKEN: optionalString(),
  GOOGLE_CLOUD_PROJECT: optionalString(),
  GOOGLE_CLOUD_LOCATION: optionalString(),
});

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

/** Parses `--host --port --filepath [--public-url]` and the environment. Throws {@link SettingsError}. */
export function parseSettings(argv: readonly string[], env: NodeJS.ProcessEnv): RuntimeSettings {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        host: { type: 'string', default: '0.0.0.0' },
        port: { type: 'string', default: '8080' },
        filepath: { type: 'string', default: '/config' },
        'public-url': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new SettingsError((err as Error).message, { cause: err });
  }
  const port = Number(values['port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new SettingsError(`--port: not a port: ${values['port']}`);
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')), {
    error: en().localeError,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SettingsError(`environment variable ${String(issue?.path[0])}: ${issue?.message ?? 'invalid'}`);
  }
  const e = parsed.data;
  return {
    host: values['host'] ?? '0.0.0.0',
    port,
    filepath: values['filepath'] ?? '/config',
    publicUrl: nonEmpty(values['public-url']),
    namespace: e.KAGENT_NAMESPACE,
    agentName: e.KAGENT_NAME ?? '',
    controllerUrl: e.KAGENT_URL,
    logLevel: e.LOG_LEVEL,
    maxIterations: e.AGENT_MAX_ITERATIONS,
    llmTimeoutMs: e.AGENT_LLM_TIMEOUT_SECONDS * 1000,
    credentials: {
      openaiApiKey: e.OPENAI_API_KEY,
      anthropicApiKey: e.ANTHROPIC_API_KEY,
      azureOpenAiApiKey: e.AZURE_OPENAI_API_KEY,
      azureOpenAiEndpoint: e.AZURE_OPENAI_ENDPOINT,
      azureOpenAiApiVersion: e.OPENAI_API_VERSION,
      googleApiKey: e.GOOGLE_API_KEY ?? e.GEMINI_API_KEY,
      ollamaBaseUrl: e.OLLAMA_API_BASE,
      bedrockBearerToken: e.AWS_BEARER_TOKEN_BEDROCK,
      awsRegion: e.AWS_REGION,
      awsAccessKeyId: e.AWS_ACCESS_KEY_ID,
      awsSecretAccessKey: e.AWS_SECRET_ACCESS_KEY,
      awsSessionToken: e.AWS_SESSION_TOKEN,
      googleCloudProject: e.GOOGLE_CLOUD_PROJECT,
      googleCloudLocation: e.GOOGLE_CLOUD_LOCATION,
    },
  };
}
