import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { createInterface } from 'node:readline';
import type { Counter, Registry } from '@agentplane/telemetry';
import { restClientRequests } from './controller-metrics.js';
import { KubeApiError, UnknownKindError } from './errors.js';
import type { KubeConnection } from './kube-config.js';
import type { ResourceKind } from './resource-types.js';

export interface KubeClientOptions {
  /** From `loadKubeConfig`, or a `KubeConfig` of @kubernetes/client-node. */
  kubeConfig: KubeConnection;
  /** Counts every request in rest_client_requests_total{code,method,host}. */
  registry?: Registry;
  /** Default 30 s (watches are bounded by their own timeoutSeconds instead). */
  requestTimeoutMs?: number;
  userAgent?: string;
}

export interface KubeRequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

export interface ResolvedKind {
  plural: string;
  namespaced: boolean;
}

/** The raw event of a watch stream. */
export interface RawWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

interface DiscoveryList {
  resources: Array<{ name: string; kind: string; namespaced: boolean }>;
}

/**
 * A small REST client for the Kubernetes API: credentials and TLS from a loaded kubeconfig
 * (`loadKubeConfig`, or a client-node KubeConfig), keep-alive connection pools (one for requests,
 * one for watches), typed errors, API discovery for plural names, and a count of every request by
 * status code.
 */
export class KubeClient {
  readonly server: URL;
  readonly #kubeConfig: KubeConnection;
  readonly #requests: Counter<'code' | 'method' | 'host'> | undefined;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  readonly #discovery = new Map<string, Promise<DiscoveryList>>();
  /** Requests share at most 32 pooled connections. */
  #agent: HttpAgent | HttpsAgent | undefined;
  /**
   * Watches hold their connection for minutes, one per kind and namespace: they get a pool of
   * their own without a cap, so they never queue behind each other or block requests.
   */
  #watchAgent: HttpAgent | HttpsAgent | undefined;

  constructor(options: KubeClientOptions) {
    const cluster = options.kubeConfig.getCurrentCluster();
    if (!cluster) throw new KubeApiError('the kubeconfig has no current cluster', { statusCode: 0 });
    this.server = new URL(cluster.server);
    this.#kubeConfig = options.kubeConfig;
    this.#requests = options.registry ? restClientRequests(options.registry) : undefined;
    this.#timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#userAgent = options.userAgent ?? 'agentplane';
  }

  /** Sends one request; resolves with the parsed JSON body, throws KubeApiError on a non-2xx answer. */
  async request<T>(method: string, path: string, options: KubeRequestOptions = {}): Promise<T> {
    const res = await this.#send(method, path, options, this.#timeoutMs);
    const text = await readBody(res);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw apiError(method, path, status, text);
    return (text.length > 0 ? JSON.parse(text) : undefined) as T;
  }

  /**
   * Streams a watch: calls `onEvent` per event until the server ends the stream (resolves) or it
   * fails (rejects with KubeApiError; 410 when the resource version is too old). Abort with `signal`.
   */
  async watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    onEvent: (event: RawWatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const timeoutSeconds = Number(query['timeoutSeconds'] ?? 300);
    const res = await this.#send(
      'GET',
      path,
      { query: { ...query, watch: true }, signal },
      (timeoutSeconds + 30) * 1000,
      true,
    );
    const status = res.statusCode ?? 0;
    if (status !== 200) throw apiError('WATCH', path, status, await readBody(res));
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: res, crlfDelay: Infinity });
      lines.on('line', (line) => {
        if (line.length === 0) return;
        let event: RawWatchEvent;
        try {
          event = JSON.parse(line) as RawWatchEvent;
        } catch (err) {
          res.destroy(new KubeApiError(`malformed watch event on ${path}`, { statusCode: 0, cause: err }));
          return;
        }
        onEvent(event);
      });
      const fail = (err: Error): void =>
        reject(
          err instanceof KubeApiError
            ? err
            : new KubeApiError(`watch ${path} failed`, { statusCode: 0, cause: err }),
        );
      res.on('error', fail);
      lines.on('error', fail);
      res.once('end', resolve);
      res.once('close', resolve);
    });
  }

  /** Plural name and scope of a kind (from the kind itself, or API discovery, cached). */
  async resolve(kind: ResourceKind): Promise<ResolvedKind> {
    if (kind.plural !== undefined && kind.namespaced !== undefined)
      return { plural: kind.plural, namespaced: kind.namespaced };
    let list = this.#discovery.get(kind.apiVersion);
    if (!list) {
      list = this.request<DiscoveryList>('GET', groupVersionPath(kind.apiVersion));
      this.#discovery.set(kind.apiVersion, list);
    }
    let resources: DiscoveryList;
    try {
      resources = await list;
    } catch (err) {
      this.#discovery.delete(kind.apiVersion);
      throw new UnknownKindError(`cannot discover ${kind.apiVersion}`, { cause: err });
    }
    const found = resources.resources.find((r) => r.kind === kind.kind && !r.name.includes('/'));
    if (!found) {
      this.#discovery.delete(kind.apiVersion);
      throw new UnknownKindError(`the API server does not serve ${kind.kind} in ${kind.apiVersion}`);
    }
    return { plural: kind.plural ?? found.name, namespaced: kind.namespaced ?? found.namespaced };
  }

  /** The URL path of a collection, an object, or an object's subresource. */
  async path(kind: ResourceKind, namespace?: string, name?: string, subresource?: string): Promise<string> {
    const { plural, namespaced } = await this.resolve(kind);
    let path = groupVersionPath(kind.apiVersion);
    if (namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
    path += `/${plural}`;
    if (name !== undefined) path += `/${encodeURIComponent(name)}`;
    if (subresource !== undefined) path += `/${subresource}`;
    return path;
  }

  /** Closes pooled connections. */
  close(): void {
    this.#agent?.destroy();
    this.#agent = undefined;
    this.#watchAgent?.destroy();
    this.#watchAgent = undefined;
  }

  async #send(
    method: string,
    path: string,
    options: KubeRequestOptions,
    timeoutMs: number,
    watch = false,
  ): Promise<IncomingMessage> {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const auth: RequestOptions = {};
    await this.#kubeConfig.applyToHTTPSOptions(auth);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.#userAgent,
      ...(auth.headers as Record<string, string> | undefined),
    };
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const agent = this.#agentFor(auth, watch);
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    const host = this.server.host;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(
        url,
        { method, headers, agent, ...(auth.auth ? { auth: auth.auth } : {}), signal: options.signal },
        (res) => {
          this.#requests?.inc({ code: String(res.statusCode ?? 0), method, host });
          resolve(res);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (err) => {
        this.#requests?.inc({ code: '<error>', method, host });
        reject(
          new KubeApiError(`${method} ${url.pathname} failed: ${err.message}`, { statusCode: 0, cause: err }),
        );
      });
      req.end(payload);
    });
  }

  #agentFor(auth: RequestOptions, watch: boolean): HttpAgent | HttpsAgent {
    if (watch) return (this.#watchAgent ??= this.#newAgent(auth, Infinity));
    return (this.#agent ??= this.#newAgent(auth, 32));
  }

  #newAgent(auth: RequestOptions, maxSockets: number): HttpAgent | HttpsAgent {
    return this.server.protocol === 'http:'
      ? new HttpAgent({ keepAlive: true, maxSockets })
      : new HttpsAgent({
          keepAlive: true,
          maxSockets,
          ...(auth.ca ? { ca: auth.ca } : {}),
          ...(auth.cert ? { cert: auth.cert } : {}),
          ...(auth.key ? { key: auth.key } : {}),
          ...(auth.pfx ? { pfx: auth.pfx } : {}),
          ...(auth.passphrase ? { passphrase: auth.passphrase } : {}),
          ...(auth.rejectUnauthorized !== undefined ? { rejectUnauthorized: auth.rejectUnauthorized } : {}),
          ...(auth.servername ? { servername: auth.servername } : {}),
        });
  }
}

function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function apiError(method: string, path: string, statusCode: number, body: string): KubeApiError {
  let reason: string | undefined;
  let message = `HTTP ${statusCode}`;
  try {
    const status = JSON.parse(body) as { reason?: string; message?: string };
    reason = status.reason;
    if (status.message) message = status.message;
  } catch {
    // not a Status object
  }
  return new KubeApiError(`${method} ${path}: ${message}`, { statusCode, ...(reason ? { reason } : {}) });
}
