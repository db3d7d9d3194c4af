import { create } from '@bufbuild/protobuf';
import type { Gateway, Listener } from '@agentplane/crds/gateway-api';
import { BindProtocol, BindSchema } from '@agentplane/xds/v1/bind';
import type { Bind } from '@agentplane/xds/v1/bind';
import { ListenerProtocol, ListenerSchema } from '@agentplane/xds/v1/listener';
import type { Listener as XdsListener } from '@agentplane/xds/v1/listener';
import type { ConditionInit } from './conditions.js';
import { GATEWAY_GROUP, metaRef, ResourceKey } from './names.js';
import type { NamespacedName } from './names.js';
import { secretValue } from './secret-data.js';
import type { TranslateContext } from './translate-context.js';

export interface RouteGroupKind {
  group: string;
  kind: string;
}

/** One Gateway listener after validation. */
export interface ListenerInfo {
  readonly spec: Listener;
  readonly gateway: NamespacedName;
  /** Accepted, not conflicted, refs resolved: routes may attach and it is programmed. */
  readonly valid: boolean;
  readonly supportedKinds: readonly RouteGroupKind[];
  readonly conditions: readonly ConditionInit[];
  readonly key: string;
}

export interface GatewayListeners {
  readonly listeners: readonly ListenerInfo[];
  readonly binds: readonly Bind[];
  readonly xdsListeners: readonly XdsListener[];
}

const HTTP_ROUTE: RouteGroupKind = { group: GATEWAY_GROUP, kind: 'HTTPRoute' };
const SUPPORTED_PROTOCOLS = ['HTTP', 'HTTPS'];

function conflicts(listeners: readonly Listener[]): Map<string, { reason: string; message: string }> {
  const out = new Map<string, { reason: string; message: string }>();
  const byPort = new Map<number, Listener[]>();
  for (const l of listeners) byPort.set(l.port, [...(byPort.get(l.port) ?? []), l]);
  for (const [port, group] of byPort) {
    const protocols = new Set(group.map((l) => l.protocol));
    if (protocols.size > 1) {
      for (const l of group)
        out.set(l.name, {
          reason: 'ProtocolConflict',
          message: `port ${port} is used with protocols ${[...protocols].sort().join(', ')}`,
        });
      continue;
    }
    const byHost = new Map<string, Listener[]>();
    for (const l of group) byHost.set(l.hostname ?? '', [...(byHost.get(l.hostname ?? '') ?? []), l]);
    for (const [host, same] of byHost) {
      if (same.length < 2) continue;
      for (const l of same)
        out.set(l.name, {
          reason: 'HostnameConflict',
          message: `listeners ${same.map((s) => s.name).join(', ')} share port ${port} and hostname "${host}"`,
        });
    }
  }
  return out;
}

interface TlsResult {
  tls?: { certChain: Uint8Array; privateKey: Uint8Array };
  failure?: { reason: string; message: string };
}

function listenerTls(ctx: TranslateContext, gateway: NamespacedName, l: Listener): TlsResult {
  if (l.protocol !== 'HTTPS') return {};
  const tls = l.tls;
  if (tls?.mode === 'Passthrough')
    return {
      failure: {
        reason: 'InvalidCertificateRef',
        message: 'HTTPS listeners terminate TLS; mode Passthrough is not supported',
      },
    };
  const ref = tls?.certificateRefs?.[0];
  if (ref === undefined)
    return {
      failure: { reason: 'InvalidCertificateRef', message: 'an HTTPS listener needs tls.certificateRefs' },
    };
  if ((ref.group ?? '') !== '' || (ref.kind ?? 'Secret') !== 'Secret')
    return {
      failure: {
        reason: 'InvalidCertificateRef',
        message: `certificateRef kind ${ref.kind ?? ''} is not supported; use a Secret`,
      },
    };
  const target = { namespace: ref.namespace ?? gateway.namespace, name: ref.name };
  if (
    !ctx.index.referenceAllowed(
      { group: GATEWAY_GROUP, kind: 'Gateway' },
      gateway.namespace,
      { group: '', kind: 'Secret' },
      target,
    )
  )
    return {
      failure: {
        reason: 'RefNotPermitted',
        message: `Secret ${target.namespace}/${target.name} is in another namespace and no ReferenceGrant allows it`,
      },
    };
  const secret = ctx.index.secret(target);
  const cert = secret && secretValue(secret, 'tls.crt');
  const key = secret && secretValue(secret, 'tls.key');
  if (cert === undefined || key === undefined)
    return {
      failure: {
        reason: 'InvalidCertificateRef',
        message: `Secret ${target.namespace}/${target.name} with tls.crt and tls.key not found`,
      },
    };
  return { tls: { certChain: Buffer.from(cert), privateKey: Buffer.from(key) } };
}

function supportedKinds(l: Listener): { kinds: RouteGroupKind[]; invalid: string[] } {
  const asked = l.allowedRoutes?.kinds;
  if (asked === undefined || asked.length === 0) return { kinds: [HTTP_ROUTE], invalid: [] };
  const kinds: RouteGroupKind[] = [];
  const invalid: string[] = [];
  for (const k of asked) {
    const group = k.group ?? GATEWAY_GROUP;
    if (group === GATEWAY_GROUP && k.kind === 'HTTPRoute') kinds.push(HTTP_ROUTE);
    else invalid.push(`${group}/${k.kind}`);
  }
  return { kinds, invalid };
}

/** Validates a Gateway's listeners and builds its Bind and Listener resources. */
export function translateListeners(ctx: TranslateContext, gateway: Gateway): GatewayListeners {
  const ref = metaRef(gateway);
  const specs = gateway.spec.listeners;
  const conflicted = conflicts(specs);
  const listeners: ListenerInfo[] = [];
  const xdsListeners: XdsListener[] = [];
  const bindPorts = new Set<number>();
  for (const l of specs) {
    const conditions: ConditionInit[] = [];
    const protocolOk = SUPPORTED_PROTOCOLS.includes(l.protocol);
    conditions.push(
      protocolOk
        ? { type: 'Accepted', status: true, reason: 'Accepted', message: 'listener accepted' }
        : {
            type: 'Accepted',
            status: false,
            reason: 'UnsupportedProtocol',
            message: `protocol ${l.protocol} is not supported; use HTTP or HTTPS`,
          },
    );
    const conflict = conflicted.get(l.name);
    conditions.push(
      conflict
        ? { type: 'Conflicted', status: true, ...conflict }
        : { type: 'Conflicted', status: false, reason: 'NoConflicts', message: 'no conflicts' },
    );
    const kinds = supportedKinds(l);
    const tls = protocolOk ? listenerTls(ctx, ref, l) : {};
    let resolved: ConditionInit = {
      type: 'ResolvedRefs',
      status: true,
      reason: 'ResolvedRefs',
      message: 'references resolved',
    };
    if (tls.failure) resolved = { type: 'ResolvedRefs', status: false, ...tls.failure };
    else if (kinds.invalid.length > 0)
      resolved = {
        type: 'ResolvedRefs',
        status: false,
        reason: 'InvalidRouteKinds',
        message: `route kinds not supported: ${kinds.invalid.join(', ')}`,
      };
    conditions.push(resolved);
    const valid = protocolOk && conflict === undefined && tls.failure === undefined && kinds.kinds.length > 0;
    conditions.push(
      valid
        ? { type: 'Programmed', status: true, reason: 'Programmed', message: 'listener programmed' }
        : { type: 'Programmed', status: false, reason: 'Invalid', message: 'listener is not valid' },
    );
    const key = ResourceKey.listener(ref, l.name);
    listeners.push({ spec: l, gateway: ref, valid, supportedKinds: kinds.kinds, conditions, key });
    if (!valid) continue;
    bindPorts.add(l.port);
    const msg = create(ListenerSchema, {
      key,
      bindKey: ResourceKey.bind(ref, l.port),
      name: { gatewayName: ref.name, gatewayNamespace: ref.namespace, listenerName: l.name },
      hostname: l.hostname ?? '',
      protocol: l.protocol === 'HTTPS' ? ListenerProtocol.HTTPS : ListenerProtocol.HTTP,
    });
    if (tls.tls)
      msg.tls = {
        $typeName: 'agentplane.xds.v1.ServerTls',
        ...tls.tls,
        clientCa: new Uint8Array(),
        alpnProtocols: [],
        minVersion: '',
        maxVersion: '',
      };
    xdsListeners.push(msg);
  }
  const binds = [...bindPorts]
    .sort((a, b) => a - b)
    .map((port) =>
      create(BindSchema, { key: ResourceKey.bind(ref, port), port, protocol: BindProtocol.HTTP }),
    );
  return { listeners, binds, xdsListeners };
}
