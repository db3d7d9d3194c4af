import type { DescMessage } from '@bufbuild/protobuf';
import { BackendSchema } from '@agentplane/xds/v1/backend';
import { BindSchema } from '@agentplane/xds/v1/bind';
import { ListenerSchema } from '@agentplane/xds/v1/listener';
import { PolicySchema } from '@agentplane/xds/v1/policy';
import { RouteSchema } from '@agentplane/xds/v1/route';

/** Type URL to schema, for encoding translated resources in tests. */
export const agentplaneSchemas = new Map<string, DescMessage>(
  [BindSchema, ListenerSchema, BackendSchema, PolicySchema, RouteSchema].map((s) => [
    `type.googleapis.com/${s.typeName}`,
    s,
  ]),
);
