import { formatIssues, parseAgent, type Agent, type ValueRef } from '@agentplane/crds/kagent';
import { namespaceDenial } from './allowed-namespaces.js';
import { sortedMap } from './go-json.js';
import { PROXY_HOST_HEADER } from './proxy.js';
import type { ReferenceResolver } from './reference-resolver.js';
import { TranslationError } from './translation-error.js';
import { resolveHeaders } from './value-refs.js';

/** How deep a chain of agents used as tools may go. */
export const MAX_AGENT_TOOL_DEPTH = 10;

/** The A2A port every agent's Service exposes. */
export const AGENT_PORT = 8080;

/** The tool name of a sub-agent, as kagent writes it: `<namespace>__NS__<name>`, `-` → `_`. */
export function remoteAgentToolName(namespace: string, name: string): string {
  return `${namespace}/${name}`.replaceAll('-', '_').replaceAll('/', '__NS__');
}

export interface AgentToolContext {
  agentNamespace: string;
  agentName: string;
  resolver: ReferenceResolver;
  proxyUrl?: string;
}

interface AgentToolRef {
  name: string;
  namespace?: string | undefined;
}

/** Looks up, parses and authorizes the Agent a tool refers to. */
function loadToolAgent(
  ref: AgentToolRef,
  fromNamespace: string,
  fromName: string,
  field: string,
  resolver: ReferenceResolver,
): Agent {
  const namespace = ref.namespace || fromNamespace;
  if (namespace === fromNamespace && ref.name === fromName) {
    throw new TranslationError('InvalidAgent', `${field}.agent.name`, `an agent cannot use itself as a tool`);
  }
  const obj = resolver.get('Agent', namespace, ref.name);
  if (obj === undefined) {
    throw new TranslationError(
      'AgentNotFound',
      `${field}.agent.name`,
      `Agent ${namespace}/${ref.name} not found`,
    );
  }
  const parsed = parseAgent(obj);
  if (!parsed.ok) {
    throw new TranslationError(
      'InvalidReference',
      `${field}.agent`,
      `Agent ${namespace}/${ref.name}: ${formatIssues(parsed.error.issues)}`,
    );
  }
  if (namespace !== fromNamespace) {
    const denial = namespaceDenial(parsed.value.spec.allowedNamespaces, fromNamespace, namespace, resolver);
    if (denial) {
      throw new TranslationError(
        'NamespaceNotAllowed',
        `${field}.agent.namespace`,
        `Agent ${namespace}/${ref.name} cannot be used from namespace ${fromNamespace}: ${denial}`,
      );
    }
  }
  return parsed.value;
}

/**
 * Fails when the agents used as tools, followed transitively, loop back or nest deeper than
 * {@link MAX_AGENT_TOOL_DEPTH}.
 */
export function checkAgentToolGraph(root: Agent, resolver: ReferenceResolver): void {
  const rootKey = `${root.metadata.namespace ?? ''}/${root.metadata.name ?? ''}`;
  const visit = (agent: Agent, path: string[], rootField: string | undefined): void => {
    const ns = agent.metadata.namespace ?? '';
    (agent.spec.declarative?.tools ?? []).forEach((tool, i) => {
      if (tool.type !== 'Agent' || !tool.agent) return;
      const field = rootField ?? `spec.declarative.tools[${i}]`;
      const targetNs = tool.agent.namespace || ns;
      const key = `${targetNs}/${tool.agent.name}`;
      if (path.includes(key)) {
        throw new TranslationError(
          'AgentToolCycle',
          `${field}.agent`,
          `agents used as tools form a cycle: ${[...path, key].join(' -> ')}`,
        );
      }
      if (path.length > MAX_AGENT_TOOL_DEPTH) {
        throw new TranslationError(
          'AgentToolCycle',
          `${field}.agent`,
          `agents used as tools nest deeper than ${MAX_AGENT_TOOL_DEPTH}: ${path.join(' -> ')}`,
        );
      }
      const target = resolver.get('Agent', targetNs, tool.agent.name);
      if (target === undefined) return; // reported where the tool is translated
      const parsed = parseAgent(target);
      if (parsed.ok) visit(parsed.value, [...path, key], field);
    });
  };
  visit(root, [rootKey], undefined);
}

/** Translates one `tools[]` entry of type Agent into a `remote_agents[]` entry. */
export function translateAgentTool(
  ref: AgentToolRef,
  toolHeaders: readonly ValueRef[] | undefined,
  field: string,
  ctx: AgentToolContext,
): Record<string, unknown> {
  const target = loadToolAgent(ref, ctx.agentNamespace, ctx.agentName, field, ctx.resolver);
  const namespace = target.metadata.namespace ?? ctx.agentNamespace;
  const name = target.metadata.name ?? ref.name;
  const headers = resolveHeaders(ctx.resolver, ctx.agentNamespace, toolHeaders, `${field}.headersFrom`);
  let url = `http://${name}.${namespace}:${AGENT_PORT}`;
  if (ctx.proxyUrl) {
    url = ctx.proxyUrl.replace(/\/+$/, '');
    headers[PROXY_HOST_HEADER] = `${name}.${namespace}`;
  }
  const entry: Record<string, unknown> = { name: remoteAgentToolName(namespace, name), url };
  if (Object.keys(headers).length > 0) entry['headers'] = sortedMap(headers);
  if (target.spec.description) entry['description'] = target.spec.description;
  return entry;
}
