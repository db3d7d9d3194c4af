// Config over xDS: a Delta ADS client subscribed to our five resource types, whose resources are
// lowered into the same model as the local file. Every response is validated before it is ACKed
// (a bad one is NACKed with the reason and the last good config keeps serving); accepted changes
// are coalesced and applied through the gateway's atomic config swap. Model price catalogs come
// from files (mounted ConfigMaps), re-applied when they change.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  ConfigError,
  type GatewayModel,
  type LoadedConfig,
  type TrafficPolicies,
} from '@agentplane/gateway-config';
import { lowerXdsResources, xdsResourceIssues, type XdsResourceSet } from '@agentplane/gateway-config/xds';
import { CelRuleSet } from '@agentplane/gateway-auth';
import { createLlmHandlerFactory, type LlmHandlerFactory } from '@agentplane/llm-gateway';
import type { Logger } from '@agentplane/telemetry/logger';
import {
  createXdsClient,
  TypeUrl,
  type BackoffOptions,
  type XdsClient,
  type XdsResource,
} from '@agentplane/xds';
import type { Backend } from '@agentplane/xds/v1/backend';
import type { Bind } from '@agentplane/xds/v1/bind';
import type { Listener } from '@agentplane/xds/v1/listener';
import type { Policy } from '@agentplane/xds/v1/policy';
import type { Route } from '@agentplane/xds/v1/route';
import type { Registry } from 'prom-client';
import type { ConfigSource } from './config-source.js';
import type { XdsAppConfig } from './xds-config.js';
import { createXdsClientMetrics } from './xds-metrics.js';

export interface XdsConfigSourceOptions {
  readonly xds: XdsAppConfig;
  readonly logger: Logger;
  readonly registry: Registry;
  /** Reconnect backoff (defaults of the client: 250 ms up to 30 s). */
  readonly backoff?: BackoffOptions;
  /** How long accepted changes are gathered before one apply (default 20 ms). */
  readonly coalesceMs?: number;
  /** The process environment, for what LLM backends read from it (provider keys, AWS credentials). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

type AnyResource = Bind | Listener | Route | Backend | Policy;

/** CEL rules a resource carries, so a rule that does not parse is NACKed rather than applied. */
function celIssues(r: AnyResource): string | undefined {
  const lists: string[][] = [];
  if (r.$typeName === 'agentplane.xds.v1.Policy') {
    if (r.traffic?.authorization) lists.push(r.traffic.authorization.rules);
    if (r.backend?.mcpAuthorization) lists.push(r.backend.mcpAuthorization.rules);
  } else if (r.$typeName === 'agentplane.xds.v1.Route' && r.trafficPolicy?.authorization) {
    lists.push(r.trafficPolicy.authorization.rules);
  }
  for (const rules of lists) {
    try {
      CelRuleSet.compile(rules.map((expression) => ({ effect: 'allow' as const, expression })));
    } catch (e) {
      return `${r.key}: ${(e as Error).message}`;
    }
  }
  return undefined;
}

/**
 * Compiles the LLM parts of a lowered model as the data plane will (prompt guards, webhook header
 * expressions, providers and their credentials), so a config that would not apply is NACKed.
 */
function llmIssues(model: GatewayModel, llm: LlmHandlerFactory): string | undefined {
  try {
    const seen = new Set<object>();
    const policy = (where: string, p: TrafficPolicies) => {
      if (p.ai) llm.checkAiPolicy(p.ai, `${where}.policies.ai`);
    };
    for (const bind of model.binds)
      for (const listener of bind.listeners) {
        policy(listener.key, listener.policies);
        for (const route of listener.routes) {
          policy(route.key, route.policies);
          route.backends.forEach((b, i) => {
            policy(`${route.key}.backends[${i}]`, b.policies);
            if ((b.backend.kind === 'ai' || b.backend.kind === 'llm') && !seen.has(b.backend)) {
              seen.add(b.backend);
              llm(b.backend);
            }
          });
        }
      }
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function resourceSet(of: (typeUrl: string) => readonly XdsResource[]): XdsResourceSet {
  const messages = <T>(typeUrl: string) => of(typeUrl).map((r) => r.message as unknown as T);
  return {
    binds: messages<Bind>(TypeUrl.Bind),
    listeners: messages<Listener>(TypeUrl.Listener),
    routes: messages<Route>(TypeUrl.Route),
    backends: messages<Backend>(TypeUrl.Backend),
    policies: messages<Policy>(TypeUrl.Policy),
  };
}

export class XdsConfigSource implements ConfigSource {
  readonly client: XdsClient;
  readonly #log: Logger;
  readonly #coalesceMs: number;
  readonly #address: string;
  readonly #catalogFiles: readonly string[];
  /** Compiles LLM backends and policies for validation only (never serves). */
  readonly #llm: LlmHandlerFactory;
  #watchers: FSWatcher[] = [];
  #apply: ((next: LoadedConfig) => Promise<boolean>) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #applying: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: XdsConfigSourceOptions) {
    const { xds } = options;
    this.#log = options.logger.child({ component: 'xds' });
    this.#coalesceMs = options.coalesceMs ?? 20;
    this.#address = xds.address;
    this.#catalogFiles = xds.modelCatalogFiles;
    this.#llm = createLlmHandlerFactory({ logger: this.#log, env: options.env ?? {} });
    const metrics = createXdsClientMetrics(options.registry);
    this.client = createXdsClient({
      address: xds.address,
      node: { id: xds.podName, gateway: xds.gateway, podName: xds.podName },
      token: async () => (await readFile(xds.tokenPath, 'utf8')).trim(),
      validateResource: (_typeUrl, r) => {
        const m = r.message as unknown as AnyResource;
        return xdsResourceIssues(m) ?? celIssues(m);
      },
      // The whole set this response would produce must lower (e.g. no port bound twice).
      validateResponse: ({ typeUrl, next }) => {
        try {
          const { model } = lowerXdsResources(
            resourceSet((t) => [...(t === typeUrl ? next : this.client.resources(t)).values()]),
          );
          return llmIssues(model, this.#llm);
        } catch (e) {
          if (e instanceof ConfigError) return e.message;
          throw e;
        }
      },
      ...(options.backoff ? { backoff: options.backoff } : {}),
      logger: this.#log,
    });
    this.client.on('response', ({ typeUrl, bytes }) => {
      metrics.messages.inc({ type_url: typeUrl });
      metrics.bytes.inc({ type_url: typeUrl }, bytes);
    });
    this.client.on('disconnected', () => metrics.terminations.inc());
    this.client.on('nack', ({ typeUrl, reason }) =>
      this.#log.error({ typeUrl, reason }, 'xds config rejected, keeping the last good config'),
    );
    this.client.on('state', (state) => this.#log.info({ state }, 'xds sync state'));
    this.client.on('change', () => this.#schedule());
  }

  /** The current resources lowered into the model, with the model price catalog files. */
  current(): LoadedConfig {
    const { model, warnings } = lowerXdsResources(resourceSet((t) => [...this.client.resources(t).values()]));
    if (this.#catalogFiles.length === 0) return { model, raw: {}, warnings };
    const modelCatalog = this.#catalogFiles.map((file) => ({ file }));
    return { model: { ...model, settings: { ...model.settings, modelCatalog } }, raw: {}, warnings };
  }

  async initial(): Promise<LoadedConfig> {
    this.client.start();
    this.#log.info({ address: this.#address }, 'waiting for the first xds sync');
    await this.client.whenSynced();
    return this.current();
  }

  start(apply: (next: LoadedConfig) => Promise<boolean>): void {
    this.#apply = apply;
    // A mounted ConfigMap changes by swapping a link in its directory: watch the directories.
    for (const dir of new Set(this.#catalogFiles.map((f) => dirname(f)))) {
      try {
        const w = watch(dir, () => this.#schedule());
        w.on('error', (e) => this.#log.warn({ err: e.message, dir }, 'model catalog watch error'));
        this.#watchers.push(w);
      } catch (e) {
        this.#log.warn({ err: (e as Error).message, dir }, 'model catalog directory not watched');
      }
    }
    // Changes that arrived between the first sync and now.
    this.#schedule();
  }

  #schedule(): void {
    if (!this.#apply || this.#closed || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#applying = this.#applying.then(() => this.#applyCurrent());
    }, this.#coalesceMs);
  }

  async #applyCurrent(): Promise<void> {
    const apply = this.#apply;
    if (!apply || this.#closed) return;
    let next: LoadedConfig;
    try {
      next = this.current();
    } catch (e) {
      // Validation runs before every ACK, so this means a bug: keep serving what we have.
      this.#log.error({ err: e }, 'accepted xds resources do not lower; keeping the last good config');
      return;
    }
    for (const w of next.warnings) this.#log.debug(w);
    await apply(next);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const w of this.#watchers) w.close();
    await this.client.close();
    await this.#applying;
    await this.#llm.close();
  }
}

export function createXdsConfigSource(options: XdsConfigSourceOptions): XdsConfigSource {
  return new XdsConfigSource(options);
}
