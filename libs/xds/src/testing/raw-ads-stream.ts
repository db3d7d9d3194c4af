import { Client, credentials, Metadata } from '@grpc/grpc-js';
import type { ClientDuplexStream, StatusObject } from '@grpc/grpc-js';
import { DELTA_ADS_PATH, loadAdsDefinition } from '../ads/ads-definition.js';
import type { AdsDefinition } from '../ads/ads-definition.js';
import type { DeltaDiscoveryRequestInit, DeltaDiscoveryResponse } from '../ads/wire-types.js';

export interface RawAdsStreamOptions {
  address: string;
  token?: string;
  ads?: AdsDefinition;
}

/**
 * A bare Delta ADS stream for protocol tests: write requests exactly as given, read responses
 * one by one. No validation, no ACKs of its own.
 */
export interface RawAdsStream {
  send(request: DeltaDiscoveryRequestInit): void;
  /** The next response; rejects after `timeoutMs` (default 5 s) or when the stream ends first. */
  next(timeoutMs?: number): Promise<DeltaDiscoveryResponse>;
  /** Resolves to undefined when no response arrives within `ms` (to assert that nothing is sent). */
  nextOrNothing(ms: number): Promise<DeltaDiscoveryResponse | undefined>;
  /** The stream's final status. */
  readonly status: Promise<StatusObject>;
  close(): void;
}

export function openRawAdsStream(options: RawAdsStreamOptions): RawAdsStream {
  const ads = options.ads ?? loadAdsDefinition();
  const client = new Client(options.address, credentials.createInsecure());
  const metadata = new Metadata();
  if (options.token) metadata.set('authorization', `Bearer ${options.token}`);
  const call: ClientDuplexStream<DeltaDiscoveryRequestInit, DeltaDiscoveryResponse> =
    client.makeBidiStreamRequest(
      DELTA_ADS_PATH,
      (req: DeltaDiscoveryRequestInit) => ads.delta.requestSerialize(req as never),
      (bytes: Buffer) => ads.delta.responseDeserialize(bytes),
      metadata,
    );
  const queue: DeltaDiscoveryResponse[] = [];
  const waiters: Array<(r: DeltaDiscoveryResponse | undefined) => void> = [];
  let ended: StatusObject | undefined;
  const status = new Promise<StatusObject>((resolve) => {
    call.on('status', (s: StatusObject) => {
      ended = s;
      for (const w of waiters.splice(0)) w(undefined);
      resolve(s);
    });
  });
  call.on('error', () => undefined);
  call.on('data', (r: DeltaDiscoveryResponse) => {
    const w = waiters.shift();
    if (w) w(r);
    else queue.push(r);
  });
  const take = (ms: number): Promise<DeltaDiscoveryResponse | undefined> => {
    const queued = queue.shift();
    if (queued) return Promise.resolve(queued);
    if (ended) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter = (r: DeltaDiscoveryResponse | undefined): void => {
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        resolve(undefined);
      }, ms);
      waiters.push(waiter);
    });
  };
  return {
    send: (request) => call.write(request),
    async next(timeoutMs = 5_000) {
      const r = await take(timeoutMs);
      if (!r) throw new Error(ended ? `stream ended: ${ended.code} ${ended.details}` : 'no response in time');
      return r;
    },
    nextOrNothing: (ms) => take(ms),
    status,
    close() {
      call.cancel();
      client.close();
    },
  };
}
