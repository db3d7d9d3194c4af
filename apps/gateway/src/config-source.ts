// Where the gateway's config comes from when it is not the local file (xDS). The gateway applies
// the first config, then every later one through the same atomic swap the file watcher uses.
import type { LoadedConfig } from '@agentplane/gateway-config';

export interface ConfigSource {
  /** Resolves with the first complete config (xDS: after the first full sync). */
  initial(): Promise<LoadedConfig>;
  /**
   * Delivers later configs after the first one was applied. `apply` resolves false when the data
   * plane refused a config (the previous one keeps serving).
   */
  start(apply: (next: LoadedConfig) => Promise<boolean>): void;
  close(): Promise<void>;
}
