import { create } from '@bufbuild/protobuf';
import type { Backend } from '../gen/agentplane/xds/v1/backend_pb.js';
import { BackendSchema, McpPrefixMode, McpStatefulMode } from '../gen/agentplane/xds/v1/backend_pb.js';
import type { Bind } from '../gen/agentplane/xds/v1/bind_pb.js';
import { BindProtocol, BindSchema } from '../gen/agentplane/xds/v1/bind_pb.js';
import type { Listener } from '../gen/agentplane/xds/v1/listener_pb.js';
import { ListenerProtocol, ListenerSchema } from '../gen/agentplane/xds/v1/listener_pb.js';
import type { Policy } from '../gen/agentplane/xds/v1/policy_pb.js';
import { AuthorizationAction, PolicySchema } from '../gen/agentplane/xds/v1/policy_pb.js';
import type { Route } from '../gen/agentplane/xds/v1/route_pb.js';
import { RouteSchema } from '../gen/agentplane/xds/v1/route_pb.js';
import type { GatewayRef } from '../node-identity.js';

/** A bind on `port` for a gateway; key `ns/gw/port`. */
export function sampleBind(gateway: GatewayRef, port: number): Bind {
  return create(BindSchema, {
    key: `${gateway.namespace}/${gateway.name}/${port}`,
    port,
    protocol: BindProtocol.HTTP,
  });
}

export function sampleListener(gateway: GatewayRef, port: number, listenerName = 'http'): Listener {
  return create(ListenerSchema, {
    key: `${gateway.namespace}/${gateway.name}/${listenerName}`,
    bindKey: `${gateway.namespace}/${gateway.name}/${port}`,
    name: { gatewayName: gateway.name, gatewayNamespace: gateway.namespace, listenerName },
    protocol: ListenerProtocol.HTTP,
  });
}

/** An MCP backend with two streamable-HTTP targets. */
export function sampleMcpBackend(namespace: string, name: string): Backend {
  return create(BackendSchema, {
    key: `${namespace}/${name}`,
    name: { namespace, name },
    kind: {
      case: 'mcp',
      value: {
        targets: [
          {
            name: 'everything',
            kind: { case: 'mcp', value: { host: 'everything.tools', port: 3001, path: '/mcp' } },
          },
          {
            name: 'memory',
            kind: { case: 'sse', value: { host: 'memory.tools', port: 3002, path: '/sse' } },
          },
        ],
        statefulMode: McpStatefulMode.STATEFUL,
        prefixMode: McpPrefixMode.CONDITIONAL,
      },
    },
  });
}

/** A route on a gateway's listener with a path prefix match and one backend. */
export function sampleRoute(
  gateway: GatewayRef,
  name: string,
  backendKey: string,
  listenerName = 'http',
): Route {
  return create(RouteSchema, {
    key: `${gateway.namespace}/${name}`,
    listenerKey: `${gateway.namespace}/${gateway.name}/${listenerName}`,
    name: { namespace: gateway.namespace, name, ruleName: '0', kind: 'HTTPRoute' },
    hostnames: [`${name}.example.com`],
    matches: [{ path: { kind: { case: 'prefix', value: `/${name}` } }, method: 'POST' }],
    backends: [{ backendKey, weight: 1 }],
  });
}

/** An MCP authorization policy with a CEL rule, targeting a backend. */
export function sampleMcpAuthzPolicy(
  namespace: string,
  name: string,
  backendName: string,
  rule: string,
): Policy {
  return create(PolicySchema, {
    key: `${namespace}/${name}`,
    name: { namespace, name },
    target: { kind: { case: 'backend', value: { namespace, name: backendName } } },
    backend: { mcpAuthorization: { action: AuthorizationAction.ALLOW, rules: [rule] } },
  });
}
