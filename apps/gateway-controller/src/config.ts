// Flags and env of the gateway-controller, parsed once; everything below main.ts gets typed values.
import { hostname } from 'node:os';
import { z } from 'zod';
import { UsageError } from '@agentplane/telemetry/process';

export interface ControllerConfig {
  /** KUBECONFIG; in-cluster config when absent. */
  readonly kubeconfigPath?: string;
  readonly xdsHost: string;
  readonly xdsPort: number;
  /** `host:port` the gateway pods dial (XDS_ADDRESS of provisioned Deployments). */
  readonly xdsAdvertiseAddress: string;
  readonly metricsPort: number;
  readonly leaderElect: boolean;
  /** Namespace of this controller (the leader-election Lease lives there). */
  readonly namespace: string;
  readonly podName: string;
  readonly gatewayImage: { readonly repository: string; readonly tag?: string; readonly registry?: string };
  readonly controllerName: string;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  readonly version: string;
  readonly commit: string;
}

export { UsageError };

export const USAGE = `usage: gateway-controller [flags]
  --xds-port <port>             Delta ADS gRPC port (default 9978)
  --xds-host <host>             interface the xDS server binds (default 0.0.0.0)
  --xds-advertise-address <a>   host:port gateways dial (default gateway-controller.<namespace>.svc:<xds-port>)
  --metrics-port <port>         /metrics, /healthz, /readyz (default 9092)
  --leader-elect                only the Lease holder writes status and workloads
  --gateway-image <image>       gateway image of provisioned Deployments (default ghcr.io/agentplane/gateway:<version>)
  --controller-name <name>      GatewayClass controllerName handled (default agentgateway.dev/agentgateway)
  --log-level <level>           trace|debug|info|warn|error (default info)
  -h, --help
env: KUBECONFIG (else in-cluster), POD_NAMESPACE, POD_NAME, GATEWAY_IMAGE, XDS_ADVERTISE_ADDRESS, LOG_LEVEL`;

const level = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);
const port = z.coerce.number().int().min(0).max(65535);

/** `registry/repository:tag` → parts (a digest stays in the tag). */
export function parseImage(image: string): ControllerConfig['gatewayImage'] {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  const hasTag = colon > slash;
  const path = hasTag ? image.slice(0, colon) : image;
  const tag = hasTag ? image.slice(colon + 1) : undefined;
  const first = path.indexOf('/');
  const registry =
    first > 0 && /[.:]|^localhost$/.test(path.slice(0, first)) ? path.slice(0, first) : undefined;
  const repository = registry ? path.slice(first + 1) : path;
  return { repository, ...(tag ? { tag } : {}), ...(registry ? { registry } : {}) };
}

export function parseControllerConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  build: { version: string; commit: string },
): ControllerConfig | 'help' {
  const flags = new Map<string, string>();
  let leaderElect = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '-h' || a === '--help') return 'help';
    if (a === '--leader-elect') {
      leaderElect = true;
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (
      ![
        '--xds-port',
        '--xds-host',
        '--xds-advertise-address',
        '--metrics-port',
        '--gateway-image',
        '--controller-name',
        '--log-level',
      ].includes(name)
    )
      throw new UsageError(`unknown argument ${JSON.stringify(a)}`);
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`${name} needs a value`);
    flags.set(name, value);
  }
  const parse = <T>(schema: z.ZodType<T>, v: string | undefined, what: string): T | undefined => {
    if (v === undefined) return undefined;
    const r = schema.safeParse(v);
    if (!r.success) throw new UsageError(`invalid ${what} ${JSON.stringify(v)}`);
    return r.data;
  };
  const namespace = env['POD_NAMESPACE'] || 'agentplane-system';
  const xdsPort = parse(port, flags.get('--xds-port'), '--xds-port') ?? 9978;
  const advertise =
    flags.get('--xds-advertise-address') ??
    env['XDS_ADVERTISE_ADDRESS'] ??
    `gateway-controller.${namespace}.svc:${xdsPort}`;
  if (!/^[^\s:]+:\d+$/.test(advertise))
    throw new UsageError(`invalid xDS advertise address ${JSON.stringify(advertise)}`);
  const image = flags.get('--gateway-image') ?? env['GATEWAY_IMAGE'];
  return {
    ...(env['KUBECONFIG'] ? { kubeconfigPath: env['KUBECONFIG'] } : {}),
    xdsHost: flags.get('--xds-host') ?? '0.0.0.0',
    xdsPort,
    xdsAdvertiseAddress: advertise,
    metricsPort: parse(port, flags.get('--metrics-port'), '--metrics-port') ?? 9092,
    leaderElect,
    namespace,
    podName: env['POD_NAME'] || hostname(),
    gatewayImage: image
      ? parseImage(image)
      : { registry: 'ghcr.io', repository: 'agentplane/gateway', tag: build.version },
    controllerName: flags.get('--controller-name') ?? 'agentgateway.dev/agentgateway',
    logLevel: parse(level, flags.get('--log-level') ?? env['LOG_LEVEL'], 'log level') ?? 'info',
    version: build.version,
    commit: build.commit,
  };
}
