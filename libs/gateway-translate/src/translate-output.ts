import type { Message } from '@bufbuild/protobuf';
import type { Bind } from '@agentplane/xds/v1/bind';
import type { Backend } from '@agentplane/xds/v1/backend';
import type { Listener } from '@agentplane/xds/v1/listener';
import type { Policy } from '@agentplane/xds/v1/policy';
import type { Route } from '@agentplane/xds/v1/route';
import type { Condition } from './k8s-types.js';
import type { AncestorRef } from './policy-translation.js';

/** One xDS resource with the gateways (`namespace/name`, sorted) that should see it. */
export interface TranslatedResource<M extends Message = Message> {
  readonly key: string;
  readonly message: M;
  readonly gateways: readonly string[];
}

/** The xDS resources of every Gateway of this controller, each list sorted by key. */
export interface XdsResources {
  readonly binds: readonly TranslatedResource<Bind>[];
  readonly listeners: readonly TranslatedResource<Listener>[];
  readonly routes: readonly TranslatedResource<Route>[];
  readonly backends: readonly TranslatedResource<Backend>[];
  readonly policies: readonly TranslatedResource<Policy>[];
}

export interface GatewayAddress {
  type: 'IPAddress' | 'Hostname';
  value: string;
}

export interface ListenerStatus {
  name: string;
  supportedKinds: { group: string; kind: string }[];
  attachedRoutes: number;
  conditions: Condition[];
}

export interface GatewayStatus {
  addresses?: GatewayAddress[];
  conditions: Condition[];
  listeners: ListenerStatus[];
}

export interface ParentRefStatus {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface RouteParentStatus {
  parentRef: ParentRefStatus;
  controllerName: string;
  conditions: Condition[];
}

export interface PolicyAncestorStatus {
  ancestorRef: AncestorRef;
  controllerName: string;
  conditions: Condition[];
}

/** The desired `status` of one object. */
export interface StatusOf<S> {
  readonly namespace?: string;
  readonly name: string;
  readonly status: S;
}

/** Desired statuses of every object this controller is responsible for, sorted by namespace/name. */
export interface TranslateStatuses {
  readonly gatewayClasses: readonly StatusOf<{ conditions: Condition[] }>[];
  readonly gateways: readonly StatusOf<GatewayStatus>[];
  /** `parents` holds other controllers' entries unchanged, then ours in parentRefs order. */
  readonly httpRoutes: readonly StatusOf<{ parents: RouteParentStatus[] }>[];
  readonly policies: readonly StatusOf<{ ancestors: PolicyAncestorStatus[] }>[];
  readonly backends: readonly StatusOf<{ conditions: Condition[] }>[];
}

export interface TranslateOutput {
  readonly resources: XdsResources;
  readonly statuses: TranslateStatuses;
}
