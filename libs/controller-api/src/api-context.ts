import type { Repositories } from '@agentplane/db';
import type { Logger } from '@agentplane/telemetry';
import type { AgentResolver } from './agent-resolver.js';
import type { MemoryStore } from './memory-store.js';
import type { ResourceStore } from './resource-store.js';

/** What every route handler works with (built once by `createControllerApi`). */
export interface ApiContext {
  repositories: Repositories;
  resources: ResourceStore;
  agentResolver: AgentResolver;
  logger: Logger;
  memories: MemoryStore | undefined;
  defaultUserId: string;
  /** Namespace for refs given without one (`name` instead of `namespace/name`). */
  defaultNamespace: string;
  /** When set, only these namespaces are listed and served. */
  watchNamespaces: readonly string[] | undefined;
  version: VersionInfo;
}

export interface VersionInfo {
  version: string;
  gitCommit: string;
  buildDate: string;
}

/** True when the namespace is served (no `watchNamespaces`, or listed there). */
export function isWatched(ctx: ApiContext, namespace: string): boolean {
  return ctx.watchNamespaces === undefined || ctx.watchNamespaces.includes(namespace);
}
