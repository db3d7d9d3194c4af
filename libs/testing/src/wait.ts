// Polling with a deadline: tests wait for readiness this way, never with fixed sleeps.

export interface WaitForOptions {
  /** Give up after this many milliseconds. */
  timeoutMs?: number;
  /** Pause between attempts. */
  intervalMs?: number;
  /** Says what is awaited, for the timeout error. */
  description?: string;
  /** An error for which waiting longer is pointless (a process that exited, say): rethrown at once. */
  isFatal?: (err: unknown) => boolean;
}

export class WaitTimeoutError extends Error {
  readonly code = 'WAIT_TIMEOUT';
}

/**
 * Calls `probe` until it returns a value other than `undefined`/`false` (a thrown error counts
 * as "not yet"), and returns that value. Throws WaitTimeoutError with the last error as cause.
 */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitForOptions = {},
): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 50, description = 'condition', isFatal } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      if (isFatal?.(err)) throw err;
      lastError = err;
    }
    if (Date.now() >= deadline) {
      throw new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${description}`, {
        cause: lastError,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
