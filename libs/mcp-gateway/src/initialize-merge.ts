// Merging upstream initialize results into the one the client sees. Pure.
import type { InitializeResult } from './upstream/upstream.js';

export const SUPPORTED_VERSIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'] as const;
export const LATEST_VERSION = '2025-11-25';

/** The version to offer upstream: the client's if we speak it, else our latest. */
export function negotiateVersion(requested: string | undefined): string {
  return requested && (SUPPORTED_VERSIONS as readonly string[]).includes(requested)
    ? requested
    : LATEST_VERSION;
}

function mergeCapability(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b)) {
      const cur = out[k];
      out[k] =
        typeof cur === 'boolean' || typeof v === 'boolean'
          ? Boolean(cur) || Boolean(v)
          : mergeCapability(cur, v);
    }
    return out;
  }
  return a;
}

/**
 * One target with bare names: the gateway is transparent (the upstream's result, version
 * negotiated). Several: capabilities are the union, the version the oldest any target answered.
 */
export function mergeInitialize(
  results: readonly { target: string; result: InitializeResult }[],
  opts: { transparent: boolean; serverInfo: Record<string, unknown> },
): InitializeResult {
  const only = results[0];
  if (opts.transparent && results.length === 1 && only) return only.result;
  const versions = results
    .map((r) => r.result.protocolVersion)
    .filter(Boolean)
    .sort();
  let capabilities: Record<string, unknown> = {};
  for (const r of results)
    capabilities = mergeCapability(capabilities, r.result.capabilities ?? {}) as Record<string, unknown>;
  const instructions = results
    .filter((r) => typeof r.result.instructions === 'string' && r.result.instructions !== '')
    .map((r) => `[${r.target}] ${r.result.instructions}`)
    .join('\n\n');
  return {
    protocolVersion: versions[0] ?? LATEST_VERSION,
    capabilities,
    serverInfo: opts.serverInfo,
    ...(instructions ? { instructions } : {}),
  };
}
