import type { ChildMode } from './adapter-config.js';

export interface TranslateOptions {
  /** Image holding the stdio adapter under `/adapter` (copied into the pod by an init container). */
  readonly adapterImage?: string;
  /**
   * Images used when `deployment.image` is empty, keyed by the command's base name
   * (`npx`, `uvx`, ...). Merged over {@link DEFAULT_IMAGES}.
   */
  readonly defaultImages?: Readonly<Record<string, string>>;
  /** Child mode when the MCPServer does not say (annotation {@link CHILD_MODE_ANNOTATION}). */
  readonly childMode?: ChildMode;
  /** `app.kubernetes.io/managed-by` value. */
  readonly managedBy?: string;
}

export const DEFAULT_ADAPTER_IMAGE = 'ghcr.io/agentplane/mcp-adapter:0.1.0';

/** Debian-based (glibc) images, which the adapter's bundled loader does not need but likes. */
export const DEFAULT_IMAGES: Readonly<Record<string, string>> = {
  npx: 'node:24-bookworm-slim',
  node: 'node:24-bookworm-slim',
  uvx: 'ghcr.io/astral-sh/uv:python3.12-bookworm-slim',
  uv: 'ghcr.io/astral-sh/uv:python3.12-bookworm-slim',
};

export const DEFAULT_MANAGED_BY = 'agentplane-kmcp-controller';

/** MCPServer annotation choosing the stdio child mode: `per-session` (default) or `shared`. */
export const CHILD_MODE_ANNOTATION = 'agentplane.dev/stdio-child-mode';

/** Pod template annotation whose value changes whenever the pod's inputs change (rolls the pods). */
export const CONFIG_HASH_ANNOTATION = 'kagent.dev/config-hash';

/** Where the adapter sits: copied by the init container into an emptyDir mounted here. */
export const ADAPTER_DIR = '/adapter';
/** Where the adapter's ConfigMap is mounted. */
export const ADAPTER_CONFIG_DIR = '/etc/mcp-adapter';
/** Volume names the translator owns; user volumes must not use them. */
export const ADAPTER_BIN_VOLUME = 'mcp-adapter-bin';
export const ADAPTER_CONFIG_VOLUME = 'mcp-adapter-config';
