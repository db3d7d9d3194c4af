// Config over xDS: a Delta ADS client subscribed to our five resource types, whose resources are
// lowered into the same model as the local file. Every response is validated before it is ACKed
// (a bad one is NACKed with the reason and the last good config keeps serving); accepted changes
// are coalesced and applied through the gateway's atomic config swap.
import { readFile } from 'node:fs/promises';
import { ConfigError, type LoadedConfig } from '@agentplane/gateway-config';
import { lowerXdsResources, xdsResourceIssues, type XdsResourceSet } from '@agentplane/gateway-config/xds';
import { CelRuleSet } from '@agentplane/gateway-auth';
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
  #apply: ((next: LoadedConfig) => Promise<boolean>) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #applying: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: XdsConfigSourceOptions) {
    const { xds } = options;
    this.#log = options.logger.child({ component: 'xds' });
    this.#coalesceMs = options.coalesceMs ?? 20;
    this.#address = xds.address;
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
          lowerXdsResources(
            resourceSet((t) => [...(t === typeUrl ? next : this.client.resources(t)).values()]),
          );
          return undefined;
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

  /** The current resources lowered into the model. */
  current(): LoadedConfig {
    const { model, warnings } = lowerXdsResources(resourceSet((t) => [...this.client.resources(t).values()]));
    return { model, raw: {}, warnings };
  }

  async initial(): Promise<LoadedConfig> {
    this.client.start();
    this.#log.info({ address: this.#address }, 'waiting for the first xds sync');
    await this.client.whenSynced();
    return this.current();
  }

  start(apply: (next: LoadedConfig) => Promise<boolean>): void {
    this.#apply = apply;
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
    await this.client.close();
    await this.#applying;
  }
}

export function createXdsConfigSource(options: XdsConfigSourceOptions): XdsConfigSource {
  return new XdsConfigSource(options);
}
