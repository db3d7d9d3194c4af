import { createRepositories, openDatabase, type OpenedDatabase, type Repositories } from '@agentplane/db';
import { createLogger, type Logger } from '@agentplane/telemetry';
import { createTestDatabase } from '@agentplane/testing/postgres';
import type { AgentResolver } from '../../agent-resolver.js';
import { createControllerApi, type ControllerApiOptions } from '../../create-controller-api.js';
import { listenControllerApi, type ControllerApiServer } from '../../listen-controller-api.js';
import type { ResourceStore } from '../../resource-store.js';
import { InMemoryResourceStore } from '../in-memory-resource-store.js';

/** A migrated database on one engine (in-memory PGlite, or a fresh database on a real server). */
export interface EngineDatabase {
  name: 'pglite' | 'postgres';
  db: OpenedDatabase;
  dispose(): Promise<void>;
}

export type EngineName = 'pglite' | 'postgres';

/** The engines a suite runs on: PGlite always, PostgreSQL when `databaseUrl` is given. */
export function engineNames(databaseUrl: string | undefined): EngineName[] {
  return databaseUrl ? ['pglite', 'postgres'] : ['pglite'];
}

export async function openEngine(name: EngineName, databaseUrl: string | undefined): Promise<EngineDatabase> {
  if (name === 'pglite') {
    const db = await openDatabase({});
    return { name, db, dispose: () => db.close() };
  }
  const testDb = await createTestDatabase({ url: databaseUrl, namePrefix: 'ctlapi', poolSize: 1 });
  if (testDb.kind !== 'postgres') throw new Error('expected a PostgreSQL test database');
  try {
    const db = await openDatabase({ url: testDb.url, poolSize: 4 });
    return {
      name,
      db,
      async dispose() {
        await db.close();
        await testDb.dispose();
      },
    };
  } catch (error) {
    await testDb.dispose();
    throw error;
  }
}

export interface CallOptions {
  body?: unknown;
  /** Raw body text (sent as JSON content type). */
  raw?: string;
  user?: string;
  /** Put the user in `?user_id=` instead of `X-User-Id`. */
  userInQuery?: boolean;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  // Tests read into the JSON freely.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  headers: Headers;
}

export interface ApiHarness {
  server: ControllerApiServer;
  url: string;
  repositories: Repositories;
  resources: ResourceStore;
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  close(): Promise<void>;
}

export const silentLogger: Logger = createLogger({ name: 'controller-api-test', level: 'silent' });

/** The API on a database engine and an in-memory resource store, listening on a free port. */
export async function startApiHarness(options: {
  engine: EngineDatabase;
  resources?: ResourceStore;
  agentResolver?: AgentResolver;
  api?: Partial<ControllerApiOptions>;
}): Promise<ApiHarness> {
  const repositories = createRepositories(options.engine.db);
  const resources = options.resources ?? new InMemoryResourceStore({ namespaces: ['kagent', 'default'] });
  const app = createControllerApi({
    repositories,
    resources,
    logger: silentLogger,
    ...(options.agentResolver ? { agentResolver: options.agentResolver } : {}),
    ...options.api,
  });
  const server = await listenControllerApi({ app, host: '127.0.0.1', port: 0 });
  return {
    server,
    url: server.url,
    repositories,
    resources,
    async call(method, path, call = {}) {
      const url = new URL(path, server.url);
      const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
      if (call.user !== undefined) {
        if (call.userInQuery) url.searchParams.set('user_id', call.user);
        else headers['x-user-id'] = call.user;
      }
      let body: string | undefined;
      if (call.raw !== undefined) body = call.raw;
      else if (call.body !== undefined) body = JSON.stringify(call.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      return {
        status: res.status,
        json: text === '' ? undefined : (JSON.parse(text) as unknown),
        headers: res.headers,
      };
    },
    close: () => server.close(),
  };
}
