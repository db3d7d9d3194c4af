import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';

/** Where the body of an {@link Exchange} goes, chunk by chunk, as it arrives. */
export interface BodySink {
  data(chunk: Buffer): void;
  end(): void;
  error(e: Error): void;
}

/**
 * One HTTP request through an undici dispatcher, with the answer's body handed to a sink as it
 * arrives: no body stream, no promise per chunk (this is the per-message path to HTTP targets).
 * Body bytes that arrive before `consume` is called are held until then.
 */
export class Exchange implements Dispatcher.DispatchHandler {
  status = 0;
  headers: IncomingHttpHeaders = {};
  private started = false;
  private sink: BodySink | undefined;
  private early: Buffer[] | undefined;
  private outcome: 'ended' | Error | undefined;

  private constructor(
    private readonly onStart: (x: Exchange) => void,
    private readonly onFail: (e: Error) => void,
  ) {}

  /** Sends the request; resolves when the status and headers are in, rejects if it fails before. */
  static send(dispatcher: Dispatcher, opts: Dispatcher.DispatchOptions): Promise<Exchange> {
    return new Promise((resolve, reject) => {
      dispatcher.dispatch(opts, new Exchange(resolve, reject));
    });
  }

  /** Starts delivering the body (what already arrived first). Call once. */
  consume(sink: BodySink): void {
    this.sink = sink;
    const early = this.early;
    this.early = undefined;
    if (early) for (const c of early) sink.data(c);
    if (this.outcome === 'ended') sink.end();
    else if (this.outcome) sink.error(this.outcome);
  }

  /** The whole body as text. */
  text(): Promise<string> {
    return new Promise((resolve, reject) => {
      let first: Buffer | undefined;
      let more: Buffer[] | undefined;
      this.consume({
        data: (c) => {
          if (!first) first = c;
          else (more ??= [first]).push(c);
        },
        end: () => resolve(more ? Buffer.concat(more).toString('utf8') : (first?.toString('utf8') ?? '')),
        error: reject,
      });
    });
  }

  /** Lets the body go by unread. */
  discard(): void {
    this.consume({ data: () => undefined, end: () => undefined, error: () => undefined });
  }

  // ---- undici's handler interface ----

  onRequestStart(): void {
    // Nothing to set up: the request cannot be aborted from here.
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    this.started = true;
    this.status = status;
    this.headers = headers;
    this.onStart(this);
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.sink) this.sink.data(chunk);
    else (this.early ??= []).push(chunk);
  }

  onResponseEnd(): void {
    this.finish('ended');
  }

  onResponseError(_c: Dispatcher.DispatchController, e: Error): void {
    if (this.started) this.finish(e);
    else this.onFail(e);
  }

  private finish(outcome: 'ended' | Error): void {
    if (!this.sink) this.outcome = outcome;
    else if (outcome === 'ended') this.sink.end();
    else this.sink.error(outcome);
  }
}
