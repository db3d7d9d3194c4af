import { LlmError } from './llm-error.js';

/** Gives a Google OAuth access token (Application Default Credentials, or a test's stand-in). */
export type AccessTokenProvider = () => Promise<string>;

/** The Vertex AI endpoint of a location (`global` has no regional host). */
export function vertexBaseUrl(location: string): string {
  return location === 'global'
    ? 'https://aiplatform.googleapis.com'
    : `https://${location}-aiplatform.googleapis.com`;
}

/** `.../v1/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}` */
export function vertexModelUrl(
  baseUrl: string,
  project: string,
  location: string,
  publisher: 'google' | 'anthropic',
  model: string,
): string {
  const base = baseUrl.replace(/\/+$/, '');
  const path = `projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(location)}/publishers/${publisher}/models/${encodeURIComponent(model)}`;
  return /\/v1(beta1)?$/.test(base) ? `${base}/${path}` : `${base}/v1/${path}`;
}

/**
 * Application Default Credentials through `google-auth-library` (loaded on first use): a
 * mounted service-account key (`GOOGLE_APPLICATION_CREDENTIALS`), workload identity, or the
 * metadata server. The library caches and refreshes the token.
 */
export function applicationDefaultCredentials(): AccessTokenProvider {
  let auth: Promise<{ getAccessToken(): Promise<string | null | undefined> }> | undefined;
  return async () => {
    auth ??= import('google-auth-library').then(
      ({ GoogleAuth }) => new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] }),
    );
    let token: string | null | undefined;
    try {
      token = await (await auth).getAccessToken();
    } catch (err) {
      throw new LlmError(
        'LLM_CONNECTION',
        `cannot get Google credentials: ${(err as Error).message}`,
        undefined,
        {
          cause: err,
        },
      );
    }
    if (!token) throw new LlmError('LLM_CONNECTION', 'Google credentials gave no access token');
    return token;
  };
}
