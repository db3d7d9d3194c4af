// Test helpers for xDS: a raw Delta ADS stream and sample resources. Never used by production code.
export { openRawAdsStream } from './raw-ads-stream.js';
export type { RawAdsStream, RawAdsStreamOptions } from './raw-ads-stream.js';
export {
  sampleBind,
  sampleListener,
  sampleMcpAuthzPolicy,
  sampleMcpBackend,
  sampleRoute,
} from './fixtures.js';
