import { LlmError } from './llm-error.js';

export interface ProviderFetchOptions {
  /** Label used in errors, e.g. `bedrock`. */
  readonly provider: string;
  readonly fetch: typeof fetch;
  /** Per attempt, until the response headers arrive and, for buffered calls, the whole body. */
  readonly timeoutMs: number;
  /** Retries on 408/409/429/5xx and connection errors. */
  readonly maxRetries: number;
  /** Builds the request of each attempt (signatures and tokens are fresh per attempt). */
  readonly request: () => Promise<{ url: string; init: RequestInit }>;
  readonly signal: AbortSignal | undefined;
}

const RETRY_STATUSES = new Set([408, 409, 429]);
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8000;

function retryable(status: number): boolean {
  return RETRY_STATUSES.has(status) || status >= 500;
}

/** Waits `ms`, or less when the call is aborted. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function retryDelay(attempt: number, res: Response | undefined): number {
  const after = Number(res?.headers.get('retry-after'));
  if (Number.isFinite(after) && after > 0 && after <= 60) return after * 1000;
  const backoff = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return backoff * (0.75 + Math.random() * 0.5);
}

/** The provider's error text from an error body, short and without our request. */
async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const json = JSON.parse(text) as { message?: unknown; Message?: unknown; error?: { message?: unknown } };
    const nested = json.error?.message;
    const message = json.message ?? json.Message ?? nested;
    if (typeof message === 'string') return message.slice(0, 500);
  } catch {
    // not JSON
  }
  return text.slice(0, 200);
}

export interface ProviderResponse {
  readonly response: Response;
  /** Aborts when the caller aborts or the attempt's time is up; pass it to body readers. */
  readonly signal: AbortSignal;
  /** Ends the attempt's timer (call once the body is read). */
  done(): void;
}

/**
 * Sends a provider request with a per-attempt timeout, retries with exponential backoff (and
 * `retry-after`) on 408/409/429/5xx and connection errors, and maps failures to {@link LlmError}.
 */
export async function providerFetch(options: ProviderFetchOptions): Promise<ProviderResponse> {
  const { provider } = options;
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw new LlmError('LLM_ABORTED', `${provider} call aborted`);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
    const done = (): void => clearTimeout(timer);
    let res: Response | undefined;
    try {
      const { url, init } = await options.request();
      res = await options.fetch(url, { ...init, signal });
    } catch (err) {
      done();
      if (options.signal?.aborted) {
        throw new LlmError('LLM_ABORTED', `${provider} call aborted`, undefined, { cause: err });
      }
      if (err instanceof LlmError) throw err;
      const timedOut = timeout.signal.aborted;
      if (attempt < options.maxRetries) {
        await pause(retryDelay(attempt, undefined), options.signal);
        continue;
      }
      throw timedOut
        ? new LlmError('LLM_TIMEOUT', `${provider} call timed out`, undefined, { cause: err })
        : new LlmError('LLM_CONNECTION', `cannot reach ${provider}: ${(err as Error).message}`, undefined, {
            cause: err,
          });
    }
    if (res.ok) return { response: res, signal, done };
    const status = res.status;
    if (retryable(status) && attempt < options.maxRetries) {
      await res.body?.cancel().catch(() => undefined);
      done();
      await pause(retryDelay(attempt, res), options.signal);
      continue;
    }
    const text = await errorText(res);
    done();
    throw new LlmError('LLM_HTTP_ERROR', `${provider} answered ${status}: ${text}`.trim(), status);
  }
}

/** Reads a JSON body; a body that is not JSON is `LLM_BAD_RESPONSE`. */
export async function readJson(provider: string, res: ProviderResponse): Promise<unknown> {
  try {
    const json: unknown = await res.response.json();
    return json;
  } catch (err) {
    const e = res.signal.aborted ? timeoutOrAbort(provider, err) : undefined;
    throw (
      e ??
      new LlmError('LLM_BAD_RESPONSE', `${provider} sent a body that is not JSON`, undefined, { cause: err })
    );
  } finally {
    res.done();
  }
}

/** The error for a body read that stopped because of the caller's abort or the timeout. */
export function timeoutOrAbort(provider: string, err: unknown, callerSignal?: AbortSignal): LlmError {
  if (callerSignal?.aborted)
    return new LlmError('LLM_ABORTED', `${provider} call aborted`, undefined, { cause: err });
  return new LlmError('LLM_TIMEOUT', `${provider} call timed out`, undefined, { cause: err });
}

/** Text lines of a streamed body. */
export async function* readLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      yield buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
    }
  }
  buffer += decoder.decode();
  if (buffer !== '') yield buffer;
}

/** The `data:` payloads of a server-sent events body, one per event. */
export async function* readSseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let data: string[] = [];
  for await (const line of readLines(body)) {
    if (line === '') {
      if (data.length > 0) yield data.join('\n');
      data = [];
    } else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (data.length > 0) yield data.join('\n');
}
