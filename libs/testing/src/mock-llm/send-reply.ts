import type { ServerResponse } from 'node:http';
import type { Faults } from './compile-rules.js';
import { sleep } from './sleep.js';

async function write(res: ServerResponse, data: string | Buffer): Promise<void> {
  if (res.destroyed) return;
  await new Promise<void>((resolve) => {
    const onClose = (): void => resolve();
    res.once('close', onClose);
    res.write(data, () => {
      res.off('close', onClose);
      resolve();
    });
  });
}

function cut(res: ServerResponse): void {
  res.socket?.destroy();
  res.destroy();
}

/**
 * Sends a JSON body. With `dropAfterChunks` 0 the connection is reset before any byte; with
 * N > 0 the head and half of the body are sent and then the connection is cut.
 */
export async function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>,
  faults: Faults = {},
): Promise<void> {
  const text = JSON.stringify(body);
  const bytes = Buffer.from(text, 'utf8');
  if (faults.dropAfterChunks === 0) {
    cut(res);
    return;
  }
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(bytes.length),
    ...headers,
  });
  if (faults.dropAfterChunks !== undefined) {
    await write(res, bytes.subarray(0, Math.floor(bytes.length / 2)));
    cut(res);
    return;
  }
  res.end(bytes);
}

/**
 * Streams server-sent events (each string is one complete event, blank line included), waiting
 * `chunkDelayMs` between events and cutting the connection after `dropAfterChunks` events.
 * Stops early when the client goes away or `signal` aborts.
 */
export async function sendEvents(
  res: ServerResponse,
  events: readonly string[],
  headers: Record<string, string>,
  faults: Faults,
  signal: AbortSignal,
): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...headers,
  });
  res.flushHeaders();
  for (let i = 0; i < events.length; i++) {
    if (faults.dropAfterChunks !== undefined && i >= faults.dropAfterChunks) {
      cut(res);
      return;
    }
    if (i > 0 && faults.chunkDelayMs !== undefined) await sleep(faults.chunkDelayMs, signal);
    if (res.destroyed || signal.aborted) {
      cut(res);
      return;
    }
    await write(res, events[i] ?? '');
  }
  if (faults.dropAfterChunks !== undefined && faults.dropAfterChunks <= events.length) {
    cut(res);
    return;
  }
  res.end();
}
