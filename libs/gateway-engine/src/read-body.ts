import type { Readable } from 'node:stream';

const EMPTY = Buffer.alloc(0);

/**
 * Reads a request body into one buffer. Uses stream events, not an async iterator (which costs
 * a promise per chunk and an end-of-stream watcher per request on the hot path). Resolves
 * undefined as soon as more than `limit` bytes came (the rest is drained and dropped); rejects
 * when the request breaks off before its end.
 */
export function readBody(req: Readable, limit: number): Promise<Buffer | undefined> {
  if (req.readableEnded) return Promise.resolve(EMPTY);
  return new Promise((resolve, reject) => {
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let n = 0;
    const onData = (c: Buffer) => {
      n += c.byteLength;
      if (n > limit) {
        cleanup();
        req.resume();
        resolve(undefined);
        return;
      }
      if (first === undefined) first = c;
      else (chunks ??= [first]).push(c);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks ? Buffer.concat(chunks, n) : (first ?? EMPTY));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('the request closed before its body was complete'));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
