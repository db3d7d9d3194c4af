// Controller scale: the built controller against a real kube-apiserver, with 1,000 Agents (each
// with a ModelConfig, tool servers and some agents as tools) applied at once. Measures the time
// until every Agent is Accepted for its generation and has its Deployment, Service,
// ServiceAccount and Secret; the controller's RSS; the API requests it made; and the requests
// made while a forced informer re-sync replays everything (nothing changed: no writes).
//   node src/controller-scale.ts
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  agentplaneCrdFiles,
  findEnvtestBinaries,
  installCrds,
  missingBinariesMessage,
  readCrdFiles,
  startEnvtest,
  type Envtest,
} from '@agentplane/testing/envtest';
import { freePort } from '@agentplane/testing/free-port';
import { spawnManaged, type ManagedProcess } from '@agentplane/testing/managed-process';
import { startHttpMcpServer, type HttpMcpServer } from '@agentplane/testing/mcp-servers';
import { createTestDatabase } from '@agentplane/testing/postgres';
import { waitFor } from '@agentplane/testing/wait';
import { Agent as Dispatcher, request } from 'undici';

import { cpuTimeMs, eachLimited, memoryMiB } from './process-stats.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const CONTROLLER = process.env['BENCH_CONTROLLER'] ?? join(root, 'apps/controller/dist/main.js');

const envNumber = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0`);
  return value;
};
const AGENTS = envNumber('BENCH_AGENTS', 1000);
const NAMESPACES = Math.max(1, envNumber('BENCH_NAMESPACES', 10));
const TOOL_SERVERS = Math.max(1, envNumber('BENCH_TOOL_SERVERS', 3));
const CONCURRENCY = Math.max(1, envNumber('BENCH_CONCURRENCY', 32));
const RESYNC_S = Math.max(1, envNumber('BENCH_RESYNC', 20));
const TIMEOUT_S = envNumber('BENCH_TIMEOUT', 120);
const TARGET_S = envNumber('BENCH_TARGET_SECONDS', 30);
const TARGET_RSS_MB = envNumber('BENCH_TARGET_RSS_MB', 150);
const MAX_RESYNC_WRITES = envNumber('BENCH_MAX_RESYNC_WRITES', 0);
const BASELINE_ROUNDS = Math.max(1, envNumber('BENCH_BASELINE_ROUNDS', 2));
/** PostgreSQL server: the controller gets a database of its own there; absent: its PGlite. */
const DATABASE_URL = process.env['DATABASE_URL'];

const GROUP = '/apis/kagent.dev/v1alpha2';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** What each Agent must have: one of each, controlled by it (checked through ownerReferences). */
const CHILD_KINDS = [
  { kind: 'Deployment', path: '/apis/apps/v1/deployments' },
  { kind: 'Service', path: '/api/v1/services' },
  { kind: 'ServiceAccount', path: '/api/v1/serviceaccounts' },
  { kind: 'Secret', path: '/api/v1/secrets' },
] as const;
/** Lists and watches of children return metadata only: existence is all that is checked. */
const METADATA_ONLY = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const METADATA_ONLY_WATCH = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

interface Metadata {
  name: string;
  namespace?: string;
  generation?: number;
  resourceVersion?: string;
  ownerReferences?: { kind: string; name: string; controller?: boolean }[];
}
interface Item {
  metadata: Metadata;
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string; observedGeneration?: number }[];
  };
}

/** Minimal REST access to the apiserver (the bench's own client; not the controller's). */
class Api {
  readonly #server: string;
  readonly #headers: Record<string, string>;
  readonly dispatcher: Dispatcher;

  constructor(envtest: Envtest) {
    const cluster = envtest.kubeConfig.getCurrentCluster();
    if (!cluster?.caData) throw new Error('envtest kubeconfig has no cluster CA');
    this.#server = envtest.server;
    this.#headers = { authorization: `Bearer ${envtest.adminToken}` };
    this.dispatcher = new Dispatcher({
      connect: { ca: Buffer.from(cluster.caData, 'base64').toString('utf8') },
      connections: CONCURRENCY + 16,
      // Watches stay open for the whole run.
      bodyTimeout: 0,
    });
  }

  async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    accept = 'application/json',
  ): Promise<{ status: number; json: T }> {
    const res = await request(this.#server + path, {
      dispatcher: this.dispatcher,
      method: method as 'GET',
      headers: {
        ...this.#headers,
        accept,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.body.text();
    return { status: res.statusCode, json: (text ? JSON.parse(text) : undefined) as T };
  }

  /** A request that must succeed (2xx). */
  async must<T = unknown>(method: string, path: string, body?: unknown, accept?: string): Promise<T> {
    const { status, json } = await this.call<T>(method, path, body, accept);
    if (status < 200 || status >= 300)
      throw new Error(`${method} ${path}: HTTP ${status} ${JSON.stringify(json).slice(0, 400)}`);
    return json;
  }

  /** Every item of a collection, paged. */
  async list(path: string, accept?: string): Promise<Item[]> {
    const items: Item[] = [];
    let token = '';
    do {
      const page = await this.must<{ items: Item[]; metadata: { continue?: string } }>(
        'GET',
        `${path}?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
        undefined,
        accept,
      );
      items.push(...page.items);
      token = page.metadata.continue ?? '';
    } while (token);
    return items;
  }

  /**
   * Watches a collection from now (the server first replays what exists as ADDED), calling
   * `onEvent` per event, until `signal` aborts; re-watches from the last version when the server
   * ends the stream. Resolves once the first watch is established.
   */
  async watch(
    path: string,
    accept: string,
    onEvent: (type: string, obj: Item) => void,
    signal: AbortSignal,
  ): Promise<void> {
    let version = '';
    let established: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (established = resolve));
    const loop = async (): Promise<void> => {
      while (!signal.aborted) {
        const query = `watch=1&allowWatchBookmarks=true&timeoutSeconds=1800${version ? `&resourceVersion=${version}` : ''}`;
        const res = await request(`${this.#server}${path}?${query}`, {
          dispatcher: this.dispatcher,
          headers: { ...this.#headers, accept },
          signal,
        });
        if (res.statusCode !== 200) throw new Error(`watch ${path}: HTTP ${res.statusCode}`);
        established();
        res.body.setEncoding('utf8');
        let buffered = '';
        for await (const chunk of res.body as AsyncIterable<string>) {
          buffered += chunk;
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, newline);
            buffered = buffered.slice(newline + 1);
            if (!line) continue;
            const event = JSON.parse(line) as { type: string; object: Item };
            if (event.type === 'ERROR') throw new Error(`watch ${path}: ${line.slice(0, 300)}`);
            version = event.object.metadata.resourceVersion ?? version;
            if (event.type !== 'BOOKMARK') onEvent(event.type, event.object);
          }
        }
      }
    };
    const running = loop().catch((err: unknown) => {
      if (!signal.aborted) throw err;
    });
    await Promise.race([ready, running]);
    void running.catch((err: unknown) => {
      console.error(`watch ${path} failed: ${(err as Error).message}`);
      process.exitCode = 1;
    });
  }
}

/** Deterministic shuffle (the Agents are applied in no particular order, the same every run). */
function shuffled<T>(items: readonly T[], seed = 1): T[] {
  const out = [...items];
  let s = seed;
  const random = (): number => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const namespaceOf = (n: number): string => `scale-${String(n).padStart(2, '0')}`;

interface AgentSpec {
  namespace: string;
  body: Record<string, unknown>;
}

/**
 * Agent j of a namespace uses the ModelConfig, two of the namespace's RemoteMCPServers, and
 * (every third Agent outside the first of each ten) the first Agent of its ten as a tool.
 */
function agentSpecs(): AgentSpec[] {
  const specs: AgentSpec[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const namespace = namespaceOf(i % NAMESPACES);
    const j = Math.floor(i / NAMESPACES);
    const tools: Record<string, unknown>[] = [0, 1].map((k) => ({
      type: 'McpServer',
      mcpServer: {
        apiGroup: 'kagent.dev',
        kind: 'RemoteMCPServer',
        name: `tools-${(j + k) % TOOL_SERVERS}`,
        toolNames: ['echo'],
      },
    }));
    if (j % 10 !== 0 && j % 3 === 0) tools.push({ type: 'Agent', agent: { name: agentName(j - (j % 10)) } });
    specs.push({
      namespace,
      body: {
        apiVersion: 'kagent.dev/v1alpha2',
        kind: 'Agent',
        metadata: { name: agentName(j), namespace },
        spec: {
          type: 'Declarative',
          description: `scale test agent ${j}`,
          declarative: { modelConfig: 'model', systemMessage: 'You are a helpful assistant.', tools },
        },
      },
    });
  }
  return specs;
}
const agentName = (j: number): string => `agent-${String(j).padStart(4, '0')}`;

async function createSupportingObjects(api: Api, mcpUrl: string): Promise<void> {
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = namespaceOf(n);
    await api.must('POST', '/api/v1/namespaces', { metadata: { name: ns } });
    await api.must('POST', `/api/v1/namespaces/${ns}/secrets`, {
      metadata: { name: 'model-key' },
      stringData: { OPENAI_API_KEY: 'sk-scale' },
    });
    await api.must('POST', `${GROUP}/namespaces/${ns}/modelconfigs`, {
      apiVersion: 'kagent.dev/v1alpha2',
      kind: 'ModelConfig',
      metadata: { name: 'model' },
      spec: {
        provider: 'OpenAI',
        model: 'gpt-4o',
        apiKeySecret: 'model-key',
        apiKeySecretKey: 'OPENAI_API_KEY',
      },
    });
    for (let t = 0; t < TOOL_SERVERS; t++) {
      await api.must('POST', `${GROUP}/namespaces/${ns}/remotemcpservers`, {
        apiVersion: 'kagent.dev/v1alpha2',
        kind: 'RemoteMCPServer',
        metadata: { name: `tools-${t}` },
        spec: { description: 'server-everything', url: mcpUrl, protocol: 'STREAMABLE_HTTP' },
      });
    }
  }
}

/** Creates the Agents with bounded concurrency; resolves with the elapsed ms. */
async function createAgents(api: Api, specs: readonly AgentSpec[]): Promise<number> {
  const started = performance.now();
  await eachLimited(shuffled(specs), CONCURRENCY, async (s) => {
    await api.must('POST', `${GROUP}/namespaces/${s.namespace}/agents`, s.body);
  });
  return performance.now() - started;
}

const accepted = (agent: Item): boolean => {
  const generation = agent.metadata.generation ?? 0;
  const condition = agent.status?.conditions?.find((c) => c.type === 'Accepted');
  return (
    agent.status?.observedGeneration === generation &&
    condition?.status === 'True' &&
    (condition.observedGeneration ?? generation) === generation
  );
};
const ownerAgent = (obj: Item): string | undefined => {
  const owner = obj.metadata.ownerReferences?.find((o) => o.controller && o.kind === 'Agent');
  return owner ? `${obj.metadata.namespace ?? ''}/${owner.name}` : undefined;
};

/**
 * Follows Agents and their children through watches and notes the moment every Agent is
 * Accepted for its generation and has each child kind.
 */
class Convergence {
  readonly #expected: Set<string>;
  readonly #ok = new Set<string>();
  readonly #children = new Map<string, Set<string>>(CHILD_KINDS.map((c) => [c.kind, new Set<string>()]));
  readonly #abort = new AbortController();
  #done: (ms: number) => void = () => undefined;
  readonly done: Promise<number>;
  notAccepted = new Map<string, string>();

  constructor(specs: readonly AgentSpec[]) {
    this.#expected = new Set(
      specs.map((s) => `${s.namespace}/${(s.body['metadata'] as { name: string }).name}`),
    );
    this.done = new Promise((resolve) => (this.#done = resolve));
  }

  async start(api: Api): Promise<void> {
    await api.watch(
      `${GROUP}/agents`,
      'application/json',
      (type, agent) => {
        const key = `${agent.metadata.namespace ?? ''}/${agent.metadata.name}`;
        if (type !== 'DELETED' && accepted(agent)) this.#ok.add(key);
        else this.#ok.delete(key);
        this.#check();
      },
      this.#abort.signal,
    );
    for (const child of CHILD_KINDS) {
      const seen = this.#children.get(child.kind) as Set<string>;
      await api.watch(
        child.path,
        METADATA_ONLY_WATCH,
        (type, obj) => {
          const owner = ownerAgent(obj);
          if (!owner || !this.#expected.has(owner)) return;
          if (type === 'DELETED') seen.delete(owner);
          else seen.add(owner);
          this.#check();
        },
        this.#abort.signal,
      );
    }
  }

  progress(): string {
    return `${this.#ok.size}/${this.#expected.size} accepted, ${CHILD_KINDS.map((c) => `${this.#children.get(c.kind)?.size ?? 0} ${c.kind}`).join(', ')}`;
  }

  stop(): void {
    this.#abort.abort();
  }

  #check(): void {
    if (this.#ok.size < this.#expected.size) return;
    for (const seen of this.#children.values()) if (seen.size < this.#expected.size) return;
    this.#done(performance.now());
  }
}

/** Agents not yet converged, from fresh lists (the watches' verdict is checked against these). */
async function missing(api: Api, specs: readonly AgentSpec[]): Promise<string[]> {
  const problems: string[] = [];
  const agents = new Map(
    (await api.list(`${GROUP}/agents`)).map((a) => [`${a.metadata.namespace}/${a.metadata.name}`, a]),
  );
  const children = await Promise.all(
    CHILD_KINDS.map(async (c) => new Set((await api.list(c.path, METADATA_ONLY)).map(ownerAgent))),
  );
  for (const s of specs) {
    const key = `${s.namespace}/${(s.body['metadata'] as { name: string }).name}`;
    const agent = agents.get(key);
    if (!agent || !accepted(agent)) {
      const condition = agent?.status?.conditions?.find((c) => c.type === 'Accepted');
      problems.push(`${key}: not Accepted (${JSON.stringify(condition ?? agent?.status ?? 'missing')})`);
    }
    CHILD_KINDS.forEach((c, i) => {
      if (!children[i]?.has(key)) problems.push(`${key}: no ${c.kind}`);
    });
  }
  return problems;
}

/** The controller's counters from /metrics, as `name{labels}` → value. */
type Metrics = Map<string, { name: string; labels: Record<string, string>; value: number }>;

async function scrape(url: string): Promise<Metrics> {
  const res = await request(url);
  const text = await res.body.text();
  const out: Metrics = new Map();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] as string] = l[2] as string;
    out.set(`${m[1]}{${m[2] ?? ''}}`, { name: m[1] as string, labels, value: Number(m[3]) });
  }
  return out;
}

/** Growth of `name` (samples with all of `labels`) between two scrapes, grouped by one label. */
function delta(
  before: Metrics,
  after: Metrics,
  name: string,
  by: string,
  labels: Record<string, string> = {},
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, sample] of after) {
    if (sample.name !== name) continue;
    if (!Object.entries(labels).every(([k, v]) => sample.labels[k] === v)) continue;
    const d = sample.value - (before.get(key)?.value ?? 0);
    if (d === 0) continue;
    const group = sample.labels[by] ?? '';
    out.set(group, (out.get(group) ?? 0) + d);
  }
  return out;
}
const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
const total = (metrics: Metrics, name: string, labels: Record<string, string> = {}): number => {
  let n = 0;
  for (const s of metrics.values())
    if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) n += s.value;
  return n;
};
const writes = (byMethod: Map<string, number>): number =>
  [...byMethod].filter(([m]) => WRITE_METHODS.has(m)).reduce((n, [, v]) => n + v, 0);
const fmtMethods = (m: Map<string, number>): string =>
  [...m]
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

/** Waits until the controller has no queued work and made no request for `quietMs`. */
async function settle(metricsUrl: string, quietMs = 2_000, timeoutMs = 60_000): Promise<Metrics> {
  let last = -1;
  let since = performance.now();
  return waitFor(
    async () => {
      const m = await scrape(metricsUrl);
      const requests = total(m, 'rest_client_requests_total');
      const busy = total(m, 'workqueue_depth') + total(m, 'controller_runtime_active_workers');
      if (requests !== last || busy > 0) {
        last = requests;
        since = performance.now();
        return false;
      }
      return performance.now() - since >= quietMs ? m : false;
    },
    { timeoutMs, intervalMs: 250, description: 'the controller to go idle' },
  );
}

/** V8 heap used / heap size / external memory of the controller (its own /metrics), MiB. */
const heapOf = (m: Metrics): string => {
  const mib = (name: string): string => (total(m, name) / 1048576).toFixed(0);
  const space = (name: string): string =>
    (total(m, 'nodejs_heap_space_size_total_bytes', { space: name }) / 1048576).toFixed(0);
  return `heap ${mib('nodejs_heap_size_used_bytes')}/${mib('nodejs_heap_size_total_bytes')} MiB (new ${space('new')}, old ${space('old')}), external ${mib('nodejs_external_memory_bytes')} MiB`;
};

/** The pid of this process's child named `name` (the test kit's kube-apiserver and etcd). */
function childPid(name: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && comm === name) return Number(entry);
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}

async function startController(
  envtest: Envtest,
  dir: string,
  databaseUrl: string | undefined,
): Promise<{ proc: ManagedProcess; metrics: string }> {
  const port = await freePort();
  const nodeArgs = (process.env['BENCH_CONTROLLER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const args = [
    ...nodeArgs,
    CONTROLLER,
    '--metrics-port',
    String(port),
    '--metrics-host',
    '127.0.0.1',
    '--api-port',
    '0',
    '--api-host',
    '127.0.0.1',
    '--data-dir',
    join(dir, 'data'),
    '--runtime-image',
    'example.com/agent-runtime:scale',
    '--resync-period',
    String(RESYNC_S),
  ];
  if (process.env['BENCH_WORKERS']) args.push('--workers', process.env['BENCH_WORKERS']);
  if (process.env['BENCH_WATCH_NAMESPACES'] === '1')
    args.push('--watch-namespaces', Array.from({ length: NAMESPACES }, (_, n) => namespaceOf(n)).join(','));
  const proc = spawnManaged(process.execPath, args, {
    env: {
      PATH: process.env['PATH'] ?? '',
      KUBECONFIG: envtest.kubeconfigPath,
      POD_NAME: 'controller-scale',
      LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'info',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    },
  });
  const metrics = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (proc.exited()) throw new ControllerExited(`the controller exited:\n${proc.output()}`);
      const res = await request(`${metrics}/readyz`);
      await res.body.dump();
      return res.statusCode === 200;
    },
    {
      timeoutMs: 60_000,
      description: 'controller /readyz',
      isFatal: (err) => err instanceof ControllerExited,
    },
  );
  return { proc, metrics: `${metrics}/metrics` };
}

class ControllerExited extends Error {}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const binaries = findEnvtestBinaries(process.env);
  if (!binaries) throw new Error(missingBinariesMessage);
  const dir = mkdtempSync(join(tmpdir(), 'bench-controller-'));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })];
  const failures: string[] = [];
  try {
    // One Service per Agent: the default /24 has room for 253.
    const envtest = await startEnvtest({ binaries, serviceClusterIpRange: '10.0.0.0/16' });
    cleanups.push(() => envtest.stop());
    await installCrds(envtest.kubeConfig, await readCrdFiles(agentplaneCrdFiles()));
    const api = new Api(envtest);
    cleanups.push(() => api.dispatcher.close());
    const mcp: HttpMcpServer = await startHttpMcpServer({ transport: 'streamableHttp' });
    cleanups.push(() => mcp.dispose());
    await createSupportingObjects(api, mcp.url);
    const specs = agentSpecs();
    console.log(
      `controller scale: ${AGENTS} Agents in ${NAMESPACES} namespaces (${NAMESPACES} ModelConfigs, ` +
        `${NAMESPACES * TOOL_SERVERS} RemoteMCPServers on one server-everything, ` +
        `${specs.filter((s) => JSON.stringify(s.body).includes('"type":"Agent"')).length} agent-as-tool references), ` +
        `${CONCURRENCY} creates in flight, re-sync every ${RESYNC_S} s, database ${DATABASE_URL ? 'PostgreSQL' : 'PGlite (embedded)'}`,
    );

    // Baseline: the same creates with no controller running (the apiserver's own throughput),
    // each round deleted again; the fastest round counts (the first one warms the apiserver up).
    const baselines: number[] = [];
    for (let round = 0; round < BASELINE_ROUNDS; round++) {
      baselines.push(await createAgents(api, specs));
      for (let n = 0; n < NAMESPACES; n++)
        await api.must('DELETE', `${GROUP}/namespaces/${namespaceOf(n)}/agents`);
      await waitFor(async () => (await api.list(`${GROUP}/agents`)).length === 0, {
        timeoutMs: 30_000,
        description: 'baseline Agents deleted',
      });
    }
    const baselineMs = Math.min(...baselines);

    let databaseUrl: string | undefined;
    if (DATABASE_URL) {
      const db = await createTestDatabase({ url: DATABASE_URL, namePrefix: 'bench_controller' });
      if (db.kind !== 'postgres') throw new Error('expected a PostgreSQL database');
      cleanups.push(() => db.dispose());
      databaseUrl = db.url;
    }
    const controller = await startController(envtest, dir, databaseUrl);
    cleanups.push(() => controller.proc.stop(15_000));
    const pid = controller.proc.child.pid as number;
    // The tool servers are discovered before the Agents come.
    await waitFor(
      async () =>
        (await api.list(`${GROUP}/remotemcpservers`)).every(
          (r) => r.status?.conditions?.some((c) => c.type === 'Accepted' && c.status === 'True') ?? false,
        ),
      { timeoutMs: 60_000, description: 'RemoteMCPServers Accepted' },
    );
    const idle = await settle(controller.metrics);
    const memoryIdle = memoryMiB(pid);

    const convergence = new Convergence(specs);
    await convergence.start(api);
    cleanups.push(() => convergence.stop());
    const others = { 'kube-apiserver': childPid('kube-apiserver'), etcd: childPid('etcd') };
    const cpuOf = (): Record<string, number> => ({
      controller: cpuTimeMs(pid) / 1000,
      ...Object.fromEntries(
        Object.entries(others).map(([name, p]) => [name, p === undefined ? NaN : cpuTimeMs(p) / 1000]),
      ),
    });
    const cpu0 = cpuOf();
    const t0 = performance.now();
    const progress = setInterval(
      () => console.log(`  ${seconds(performance.now() - t0)}: ${convergence.progress()}`),
      5_000,
    );
    let createMs: number;
    let doneAt: number | undefined;
    try {
      createMs = await createAgents(api, specs);
      doneAt = await Promise.race([
        convergence.done,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), TIMEOUT_S * 1000).unref()),
      ]);
    } finally {
      clearInterval(progress);
    }
    const atDone = await scrape(controller.metrics);
    const memoryAtDone = memoryMiB(pid);
    // The watches' verdict, checked against fresh lists.
    const problems = await missing(api, specs);
    if (doneAt === undefined || problems.length > 0) {
      failures.push(
        `not converged within ${TIMEOUT_S} s: ${convergence.progress()}; ${problems.length} problems, e.g.\n    ` +
          problems.slice(0, 5).join('\n    '),
      );
    }
    const convergeMs = (doneAt ?? performance.now()) - t0;
    // From here on the RSS is sampled: its lowest value shows where it settles between GCs.
    let lowestRss = memoryAtDone.rss;
    const sampler = setInterval(() => {
      lowestRss = Math.min(lowestRss, memoryMiB(pid).rss);
    }, 500);
    cleanups.push(() => clearInterval(sampler));
    const settled = await settle(controller.metrics);
    const idleMs = performance.now() - t0;
    const cpu1 = cpuOf();

    // Re-sync window: nothing changes until the informers replay their caches (a burst of Agent
    // reconciles shows it) and the controller is idle again.
    const windowStart = performance.now();
    const agentReconcileCount = (m: Metrics): number =>
      total(m, 'controller_runtime_reconcile_total', { controller: 'agent' });
    const before = agentReconcileCount(settled);
    // When the re-sync began: after the last poll that did not see it was sent. The poll that
    // sees it can be answered seconds late (the controller is busy with the re-sync), and timing
    // the end from that answer would read the RSS in the middle of the next re-sync.
    let previousPoll = performance.now();
    const resyncAt = await waitFor(
      async () => {
        const sent = performance.now();
        const seen = agentReconcileCount(await scrape(controller.metrics)) > before;
        const startedAfter = previousPoll;
        previousPoll = sent;
        return seen && startedAfter;
      },
      { timeoutMs: (RESYNC_S + 5) * 1000, intervalMs: 250, description: 'a re-sync' },
    ).catch(() => undefined);
    const resynced = await settle(controller.metrics);
    const windowMs = performance.now() - windowStart;
    // The RSS at the end is read when the controller has been idle longest: just before the next
    // re-sync.
    const quietUntil = (resyncAt ?? performance.now()) + RESYNC_S * 1000 - 1_500;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, quietUntil - performance.now())));
    clearInterval(sampler);
    const memoryEnd = memoryMiB(pid);
    lowestRss = Math.min(lowestRss, memoryEnd.rss);
    const final = await scrape(controller.metrics);

    const requests = (from: Metrics, to: Metrics, by: string): Map<string, number> =>
      delta(from, to, 'rest_client_requests_total', by);
    const agentReconciles = (from: Metrics, to: Metrics): Map<string, number> =>
      delta(from, to, 'controller_runtime_reconcile_total', 'result', { controller: 'agent' });
    const applyByMethod = requests(idle, atDone, 'method');
    const untilIdleByMethod = requests(idle, settled, 'method');
    const failedCodes = [...requests(idle, settled, 'code')].filter(([code]) => !code.startsWith('2'));
    const resyncByMethod = requests(settled, resynced, 'method');
    const resyncReconciles = sum(agentReconciles(settled, resynced));
    const resyncWrites = writes(resyncByMethod);
    if (resyncReconciles < AGENTS)
      failures.push(`re-sync not observed: ${resyncReconciles} Agent reconciles in the window`);
    if (resyncWrites > MAX_RESYNC_WRITES)
      failures.push(`request storm on re-sync: ${resyncWrites} writes (${fmtMethods(resyncByMethod)})`);

    const ratio = (value: number, target: number): string => `${(value / target).toFixed(2)}x`;
    console.log(`
  raw create of ${AGENTS} Agents, no controller (baseline): ${seconds(baselineMs)} (rounds: ${baselines.map(seconds).join(', ')})
  the same creates, controller running:               ${seconds(createMs)}
  converged (every Agent Accepted for its generation, with Deployment, Service, ServiceAccount, Secret):
    ${seconds(convergeMs)}   ${ratio(convergeMs / 1000, TARGET_S)} of the ${TARGET_S} s target   ${ratio(convergeMs, baselineMs)} the raw create
  controller RSS: ${memoryEnd.rss.toFixed(0)} MiB at the end (${ratio(memoryEnd.rss, TARGET_RSS_MB)} of ${TARGET_RSS_MB}), peak ${memoryEnd.peak.toFixed(0)} MiB (${ratio(memoryEnd.peak, TARGET_RSS_MB)}); ${memoryIdle.rss.toFixed(0)} MiB before the Agents (peak until then ${memoryIdle.peak.toFixed(0)} MiB), ${memoryAtDone.rss.toFixed(0)} MiB at convergence, lowest after it ${lowestRss.toFixed(0)} MiB
  controller V8: before ${heapOf(idle)}
                 converged ${heapOf(atDone)}
                 end ${heapOf(final)}
  CPU from the first create until idle (${seconds(idleMs)}): ${Object.entries(cpu1)
    .map(([name, t]) => `${name} ${(t - (cpu0[name] ?? 0)).toFixed(1)} s`)
    .join(', ')}
  controller API requests until converged: ${sum(applyByMethod)} (${fmtMethods(applyByMethod)}), ${(writes(applyByMethod) / AGENTS).toFixed(2)} writes per Agent
                          until idle:      ${sum(untilIdleByMethod)} (${fmtMethods(untilIdleByMethod)}), failed: ${failedCodes.length ? failedCodes.map(([c, n]) => `${c} ${n}`).join(', ') : 'none'}
  Agent reconciles until idle: ${sum(agentReconciles(idle, settled))} (${fmtMethods(agentReconciles(idle, settled))})
  re-sync window (${seconds(windowMs)}, ${resyncReconciles} Agent reconciles): ${sum(resyncByMethod)} requests (${fmtMethods(resyncByMethod)}), ${resyncWrites} writes
  targets (${TARGET_S} s, ${TARGET_RSS_MB} MiB at the end): ${convergeMs <= TARGET_S * 1000 && memoryEnd.rss <= TARGET_RSS_MB ? 'met' : 'MISSED'}`);
    if (process.env['BENCH_SHOW_OUTPUT'])
      console.log(`\ncontroller output (last lines):\n${controller.proc.output()}`);
  } finally {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  }
  if (failures.length > 0) {
    for (const f of failures) console.error(`FAIL: ${f}`);
    process.exitCode = 1;
  }
}

await main();
