// OpenAI moderation (`POST {base}/moderations` with `{model, input: [texts]}`).
import { request, type Dispatcher } from 'undici';

export interface ModerationEndpoint {
  /** `https://api.openai.com/v1` or another server speaking the same API. */
  readonly baseUrl: string;
  readonly apiKey?: string;
}

export interface ModerationIo {
  readonly dispatcher: Dispatcher;
  readonly moderation?: ModerationEndpoint | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** `flagged` when any input is flagged; `error` when the endpoint could not answer. */
export async function moderate(
  model: string,
  texts: readonly string[],
  io: ModerationIo,
): Promise<'clean' | 'flagged' | 'error'> {
  const m = io.moderation;
  if (texts.length === 0) return 'clean';
  if (!m) return 'error';
  try {
    const r = await request(`${m.baseUrl.replace(/\/$/, '')}/moderations`, {
      method: 'POST',
      dispatcher: io.dispatcher,
      headers: {
        'content-type': 'application/json',
        ...(m.apiKey ? { authorization: `Bearer ${m.apiKey}` } : {}),
      },
      body: JSON.stringify({ model, input: texts }),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
      ...(io.signal ? { signal: io.signal } : {}),
    });
    if (r.statusCode >= 300) {
      await r.body.dump();
      return 'error';
    }
    const v = (await r.body.json()) as { results?: { flagged?: boolean }[] };
    if (!Array.isArray(v.results)) return 'error';
    return v.results.some((x) => x.flagged === true) ? 'flagged' : 'clean';
  } catch {
    return 'error';
  }
}
