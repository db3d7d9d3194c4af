// Test support: reads a case's YAML input into a TranslateInput and renders output as YAML.
import { readFileSync } from 'node:fs';
import { toJson } from '@bufbuild/protobuf';
import type { DescMessage, Message } from '@bufbuild/protobuf';
import {
  parseAgentgatewayBackend,
  parseAgentgatewayParameters,
  parseAgentgatewayPolicy,
  formatIssues,
} from '@agentplane/crds';
import type { ParseResult } from '@agentplane/crds';
import { gatewayClassSchema, gatewaySchema, httpRouteSchema } from '@agentplane/crds/gateway-api';
import { BackendSchema } from '@agentplane/xds/v1/backend';
import { BindSchema } from '@agentplane/xds/v1/bind';
import { ListenerSchema } from '@agentplane/xds/v1/listener';
import { PolicySchema } from '@agentplane/xds/v1/policy';
import { RouteSchema } from '@agentplane/xds/v1/route';
import { parseAllDocuments, stringify } from 'yaml';
import type { TranslateInput } from '../translate-input.js';
import type { TranslatedResource, TranslateOutput } from '../translate-output.js';

function parsed<T>(r: ParseResult<T>, what: string): T {
  if (!r.ok) throw new Error(`${what}: ${formatIssues(r.error.issues)}`);
  return r.value;
}

interface Validator<T> {
  safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } };
}

function validated<T>(schema: Validator<T>, obj: unknown, what: string): T {
  const r = schema.safeParse(obj);
  if (!r.success) throw new Error(`${what}: ${r.error.message}`);
  return r.data;
}

type Mutable = { -readonly [K in keyof TranslateInput]-?: NonNullable<TranslateInput[K]>[number][] };

/** Parses multi-document YAML into a TranslateInput, validating every object like the controller. */
export function inputFromYaml(text: string): TranslateInput {
  const input: Mutable = {
    gatewayClasses: [],
    gateways: [],
    httpRoutes: [],
    backends: [],
    policies: [],
    parameters: [],
    services: [],
    endpointSlices: [],
    secrets: [],
    configMaps: [],
    namespaces: [],
    referenceGrants: [],
  };
  for (const doc of parseAllDocuments(text)) {
    const obj = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
    if (obj === null) continue;
    const what = `${obj.kind ?? '?'} ${obj.metadata?.name ?? '?'}`;
    switch (obj.kind) {
      case 'GatewayClass':
        input.gatewayClasses.push(validated(gatewayClassSchema, obj, what));
        break;
      case 'Gateway':
        input.gateways.push(validated(gatewaySchema, obj, what));
        break;
      case 'HTTPRoute':
        input.httpRoutes.push(validated(httpRouteSchema, obj, what));
        break;
      case 'AgentgatewayBackend':
        input.backends.push(parsed(parseAgentgatewayBackend(obj), what));
        break;
      case 'AgentgatewayPolicy':
        input.policies.push(parsed(parseAgentgatewayPolicy(obj), what));
        break;
      case 'AgentgatewayParameters':
        input.parameters.push(parsed(parseAgentgatewayParameters(obj), what));
        break;
      case 'Service':
        input.services.push(obj as Mutable['services'][number]);
        break;
      case 'EndpointSlice':
        input.endpointSlices.push(obj as Mutable['endpointSlices'][number]);
        break;
      case 'Secret':
        input.secrets.push(obj as Mutable['secrets'][number]);
        break;
      case 'ConfigMap':
        input.configMaps.push(obj as Mutable['configMaps'][number]);
        break;
      case 'Namespace':
        input.namespaces.push(obj as Mutable['namespaces'][number]);
        break;
      case 'ReferenceGrant':
        input.referenceGrants.push(obj as Mutable['referenceGrants'][number]);
        break;
      default:
        throw new Error(`unexpected kind in ${what}`);
    }
  }
  return input;
}

/** A case's input: base.yaml (GatewayClass, Gateway default/gw, its Service) plus the case's own, unless it starts with `# standalone`. */
export function readCaseText(name: string): string {
  const own = readFileSync(new URL(`./${name}/input.yaml`, import.meta.url), 'utf8');
  if (own.startsWith('# standalone')) return own;
  return `${readFileSync(new URL('./base.yaml', import.meta.url), 'utf8')}\n---\n${own}`;
}

/** base.yaml (GatewayClass, Gateway default/gw, its Service) followed by `text`, as one input. */
export function withBase(text: string): TranslateInput {
  return inputFromYaml(`${readFileSync(new URL('./base.yaml', import.meta.url), 'utf8')}\n---\n${text}`);
}

export function readCase(name: string): TranslateInput {
  return inputFromYaml(readCaseText(name));
}

function render<M extends Message>(schema: DescMessage, list: readonly TranslatedResource<M>[]) {
  return list.map((r) => ({ key: r.key, gateways: [...r.gateways], message: toJson(schema, r.message) }));
}

/** The whole output as YAML: resources (protobuf JSON) and statuses. */
export function renderOutput(out: TranslateOutput): string {
  return stringify({
    resources: {
      binds: render(BindSchema, out.resources.binds),
      listeners: render(ListenerSchema, out.resources.listeners),
      backends: render(BackendSchema, out.resources.backends),
      policies: render(PolicySchema, out.resources.policies),
      routes: render(RouteSchema, out.resources.routes),
    },
    statuses: out.statuses,
  });
}

export const caseFile = (name: string, file: string): string =>
  new URL(`./${name}/${file}`, import.meta.url).pathname;
