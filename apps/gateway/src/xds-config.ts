// The xDS settings of the gateway, from env: parsed once, like the rest of config.ts.
import { hostname } from 'node:os';

export const DEFAULT_XDS_TOKEN_PATH = '/var/run/secrets/xds-tokens/xds-token';

export interface XdsAppConfig {
  /** `host:port` of the gateway-controller's xDS server. */
  readonly address: string;
  /** The Gateway (Gateway API object) this process serves. */
  readonly gateway: { readonly namespace: string; readonly name: string };
  readonly podName: string;
  /** Projected ServiceAccount token (audience `agentgateway`), re-read on every reconnect. */
  readonly tokenPath: string;
  /**
   * Model price catalog files (`MODEL_CATALOG_FILES`, comma-separated; later ones replace model
   * entries of earlier ones): the xDS counterpart of `config.modelCatalog`, re-read when they change.
   */
  readonly modelCatalogFiles: readonly string[];
}

export type XdsEnvResult =
  | { readonly ok: true; readonly value: XdsAppConfig | undefined }
  | { readonly ok: false; readonly error: string };

/**
 * `XDS_ADDRESS` (`host:port`) with `GATEWAY`, `NAMESPACE`, `POD_NAME` (default: the host name),
 * `XDS_TOKEN_PATH` and `MODEL_CATALOG_FILES`. `value` is undefined when `XDS_ADDRESS` is not set.
 */
export function parseXdsEnv(env: Readonly<Record<string, string | undefined>>): XdsEnvResult {
  const address = env['XDS_ADDRESS']?.trim();
  if (!address) return { ok: true, value: undefined };
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d+)$/.exec(address);
  const port = Number(m?.[2]);
  if (!m || !(port > 0 && port < 65536))
    return { ok: false, error: `invalid XDS_ADDRESS ${JSON.stringify(address)} (expected host:port)` };
  const name = env['GATEWAY']?.trim();
  const namespace = env['NAMESPACE']?.trim();
  if (!name || !namespace)
    return { ok: false, error: 'XDS_ADDRESS needs GATEWAY and NAMESPACE (the Gateway this process serves)' };
  return {
    ok: true,
    value: {
      address,
      gateway: { namespace, name },
      podName: env['POD_NAME']?.trim() || hostname(),
      tokenPath: env['XDS_TOKEN_PATH']?.trim() || DEFAULT_XDS_TOKEN_PATH,
      modelCatalogFiles: (env['MODEL_CATALOG_FILES'] ?? '')
        .split(',')
        .map((f) => f.trim())
        .filter((f) => f !== ''),
    },
  };
}
