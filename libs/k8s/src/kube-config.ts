// Where the Kubernetes API is and how to authenticate to it: kubeconfig files (merged like kubectl
// merges a KUBECONFIG list) or the in-cluster service account. Ordinary kubeconfigs and pods are
// handled here; only credential plugins (`exec`, `auth-provider`) and `proxy-url` load
// @kubernetes/client-node, on demand, since importing it costs about 90 MB of memory.
import { readFile } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import type { RequestOptions } from 'node:https';
import { isIPv6 } from 'node:net';
import { delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { KubeConfigError } from './errors.js';

/**
 * What a `KubeClient` needs to reach the API server. A loaded kubeconfig is one, and so is a
 * `KubeConfig` of @kubernetes/client-node.
 */
export interface KubeConnection {
  getCurrentCluster(): { readonly server: string } | null;
  /** Sets the CA, client certificate and key, TLS checks and the Authorization header. */
  applyToHTTPSOptions(options: RequestOptions): Promise<void>;
}

export interface LoadedKubeConfig extends KubeConnection {
  /** The API server's URL, e.g. `https://10.0.0.1:443`. */
  readonly server: string;
  /** The current context's namespace, or the service account's. */
  readonly namespace: string | undefined;
  /** The current context; undefined in a cluster. */
  readonly context: string | undefined;
  /** True when the credentials come from @kubernetes/client-node (exec, auth-provider, proxy-url). */
  readonly delegated: boolean;
  getCurrentCluster(): { readonly server: string };
}

export interface LoadKubeConfigOptions {
  /**
   * A kubeconfig file, several joined with the path delimiter (`:` on Linux, as in KUBECONFIG),
   * or a list. Absent or empty: the in-cluster service account.
   */
  kubeconfig?: string | readonly string[] | undefined;
  /** Where `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT` are read in a cluster. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Default `/var/run/secrets/kubernetes.io/serviceaccount`. */
  serviceAccountDir?: string;
  /** A token file (the service account's, a user's `tokenFile`) is read again after this. Default 60 s. */
  tokenMaxAgeMs?: number;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Loads the kubeconfig given, or the in-cluster service account when none is. */
export async function loadKubeConfig(options: LoadKubeConfigOptions = {}): Promise<LoadedKubeConfig> {
  const files = (
    typeof options.kubeconfig === 'string' ? options.kubeconfig.split(delimiter) : (options.kubeconfig ?? [])
  ).filter((f) => f.length > 0);
  const tokenMaxAgeMs = options.tokenMaxAgeMs ?? 60_000;
  if (files.length === 0)
    return loadInCluster(options.env ?? {}, options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR, tokenMaxAgeMs);
  return loadFiles(files, tokenMaxAgeMs);
}

// ---- kubeconfig files -------------------------------------------------------------------------

type Mapping = Record<string, unknown>;

/** A named cluster, user or context, with the file that defined it. */
interface Entry {
  name: string;
  body: Mapping;
  file: string;
  /** The field path of the entry's body in errors, e.g. `clusters["dev"].cluster`. */
  field: string;
}

interface ParsedFile {
  clusters: Entry[];
  users: Entry[];
  contexts: Entry[];
  currentContext: string | undefined;
}

const isMapping = (v: unknown): v is Mapping => typeof v === 'object' && v !== null && !Array.isArray(v);

// Messages carry the underlying error's message, so the error is not attached as a cause (loggers
// would print it twice).
const fail = (file: string | undefined, field: string | undefined, problem: string) =>
  new KubeConfigError(
    `${file === undefined ? 'kubeconfig' : `kubeconfig ${file}`}: ${field ? `${field}: ` : ''}${problem}`,
    { ...(file !== undefined ? { file } : {}), ...(field ? { field } : {}) },
  );

const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function loadFiles(files: readonly string[], tokenMaxAgeMs: number): Promise<LoadedKubeConfig> {
  const parsed: ParsedFile[] = [];
  const read: string[] = [];
  for (const given of files) {
    const file = resolve(given);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      // Like kubectl, a list may name files that do not exist; a single file must exist.
      if (files.length > 1 && (err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw fail(file, undefined, `cannot be read: ${reason(err)}`);
    }
    parsed.push(parseFile(file, text));
    read.push(file);
  }
  const named = files.map((f) => resolve(f)).join(delimiter);
  if (parsed.length === 0) throw fail(named, undefined, 'none of these files exists');

  // The first file that defines a name wins, and so does the first current-context.
  const pick = (list: 'clusters' | 'users' | 'contexts'): Map<string, Entry> => {
    const map = new Map<string, Entry>();
    for (const p of parsed) for (const e of p[list]) if (!map.has(e.name)) map.set(e.name, e);
    return map;
  };
  const clusters = pick('clusters');
  const users = pick('users');
  const contexts = pick('contexts');
  const currentContext = parsed.find((p) => p.currentContext)?.currentContext;
  const where = read.length === 1 ? read[0] : read.join(delimiter);
  if (!currentContext) throw fail(where, 'current-context', 'not set');
  const context = contexts.get(currentContext);
  if (!context)
    throw fail(
      where,
      'current-context',
      `names context "${currentContext}", which no contexts[] entry defines`,
    );

  const clusterName = optionalString(context, 'cluster');
  if (!clusterName) throw fail(context.file, `${context.field}.cluster`, 'missing');
  const cluster = clusters.get(clusterName);
  if (!cluster)
    throw fail(
      context.file,
      `${context.field}.cluster`,
      `names cluster "${clusterName}", which no clusters[] entry defines`,
    );
  const userName = optionalString(context, 'user');
  const user = userName ? users.get(userName) : undefined;
  if (userName && !user)
    throw fail(
      context.file,
      `${context.field}.user`,
      `names user "${userName}", which no users[] entry defines`,
    );
  const namespace = optionalString(context, 'namespace');

  const tls = await clusterSettings(cluster);
  const auth = user ? await userSettings(user, tokenMaxAgeMs) : undefined;
  const base = { server: tls.server, namespace, context: currentContext } as const;

  if (tls.needsClientNode || auth?.needsClientNode) {
    const delegate = await clientNodeConfig(cluster, user);
    return {
      ...base,
      delegated: true,
      getCurrentCluster: () => ({ server: tls.server }),
      applyToHTTPSOptions: (opts) => delegate.applyToHTTPSOptions(opts),
    };
  }
  return {
    ...base,
    delegated: false,
    getCurrentCluster: () => ({ server: tls.server }),
    applyToHTTPSOptions: async (opts) => {
      applyTls(opts, tls);
      if (auth) await applyAuth(opts, auth);
    },
  };
}

function parseFile(file: string, text: string): ParsedFile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw fail(file, undefined, `malformed YAML: ${reason(err)}`);
  }
  doc ??= {};
  if (!isMapping(doc)) throw fail(file, undefined, 'is not a kubeconfig (expected a YAML mapping)');
  const current = doc['current-context'];
  if (current !== undefined && current !== null && typeof current !== 'string')
    throw fail(file, 'current-context', 'must be a string');
  return {
    clusters: entries(file, doc, 'clusters', 'cluster'),
    users: entries(file, doc, 'users', 'user'),
    contexts: entries(file, doc, 'contexts', 'context'),
    currentContext: typeof current === 'string' && current.length > 0 ? current : undefined,
  };
}

function entries(file: string, doc: Mapping, list: string, inner: string): Entry[] {
  const items = doc[list];
  if (items === undefined || items === null) return [];
  if (!Array.isArray(items)) throw fail(file, list, 'must be a list');
  return items.map((item: unknown, i) => {
    if (!isMapping(item)) throw fail(file, `${list}[${i}]`, 'must be a mapping');
    const name = item['name'];
    if (typeof name !== 'string' || name.length === 0) throw fail(file, `${list}[${i}].name`, 'missing');
    const field = `${list}[${JSON.stringify(name)}].${inner}`;
    const body = item[inner] ?? {};
    if (!isMapping(body)) throw fail(file, field, 'must be a mapping');
    return { name, body, file, field };
  });
}

function optionalString(entry: Entry, key: string): string | undefined {
  const v = entry.body[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw fail(entry.file, `${entry.field}.${key}`, 'must be a string');
  return v;
}

function optionalBoolean(entry: Entry, key: string): boolean | undefined {
  const v = entry.body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw fail(entry.file, `${entry.field}.${key}`, 'must be true or false');
  return v;
}

/** A path as written in the file, resolved against the file's directory. */
const pathIn = (entry: Entry, path: string): string => resolve(dirname(entry.file), path);

async function readEntryFile(entry: Entry, key: string): Promise<Buffer | undefined> {
  const path = optionalString(entry, key);
  if (path === undefined) return undefined;
  const full = pathIn(entry, path);
  try {
    return await readFile(full);
  } catch (err) {
    throw fail(entry.file, `${entry.field}.${key}`, `cannot read ${full}: ${reason(err)}`);
  }
}

function decodeEntryData(entry: Entry, key: string): Buffer | undefined {
  const data = optionalString(entry, key);
  if (data === undefined) return undefined;
  const pem = /^[A-Za-z0-9+/=\s]+$/.test(data) ? Buffer.from(data, 'base64') : undefined;
  if (!pem?.toString('latin1').includes('-----BEGIN '))
    throw fail(entry.file, `${entry.field}.${key}`, 'must be base64-encoded PEM');
  return pem;
}

/** `<key>-data` wins over the file `<key>` (as in client-go). */
async function pemOf(entry: Entry, key: string): Promise<Buffer | undefined> {
  return decodeEntryData(entry, `${key}-data`) ?? (await readEntryFile(entry, key));
}

interface TlsSettings {
  server: string;
  ca?: Buffer | undefined;
  insecure?: boolean | undefined;
  servername?: string | undefined;
  needsClientNode: boolean;
}

async function clusterSettings(cluster: Entry): Promise<TlsSettings> {
  const server = optionalString(cluster, 'server');
  if (!server) throw fail(cluster.file, `${cluster.field}.server`, 'missing');
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw fail(cluster.file, `${cluster.field}.server`, `not a URL: ${JSON.stringify(server)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw fail(
      cluster.file,
      `${cluster.field}.server`,
      `must be an http(s) URL, not ${JSON.stringify(server)}`,
    );
  const ca = await pemOf(cluster, 'certificate-authority');
  const insecure = optionalBoolean(cluster, 'insecure-skip-tls-verify');
  if (insecure && ca)
    throw fail(
      cluster.file,
      `${cluster.field}.insecure-skip-tls-verify`,
      'cannot be combined with a certificate-authority',
    );
  return {
    server: server.replace(/\/+$/, ''),
    ca,
    insecure,
    servername: optionalString(cluster, 'tls-server-name'),
    needsClientNode: optionalString(cluster, 'proxy-url') !== undefined,
  };
}

function applyTls(opts: RequestOptions, tls: TlsSettings): void {
  if (tls.ca) opts.ca = tls.ca;
  if (tls.insecure) opts.rejectUnauthorized = false;
  if (tls.servername) opts.servername = tls.servername;
}

interface AuthSettings {
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  token?: string | undefined;
  tokenFile?: TokenFile | undefined;
  basic?: string | undefined;
  impersonate?: string | undefined;
  impersonateGroups?: string[] | undefined;
  needsClientNode: boolean;
}

async function userSettings(user: Entry, tokenMaxAgeMs: number): Promise<AuthSettings> {
  const needsClientNode = user.body['exec'] != null || user.body['auth-provider'] != null;
  if (user.body['exec'] != null) {
    const exec = user.body['exec'];
    if (!isMapping(exec) || typeof exec['command'] !== 'string' || exec['command'].length === 0)
      throw fail(user.file, `${user.field}.exec.command`, 'missing');
  }
  const cert = await pemOf(user, 'client-certificate');
  const key = await pemOf(user, 'client-key');
  if (cert && !key) throw fail(user.file, `${user.field}.client-key`, 'missing (client-certificate is set)');
  if (key && !cert) throw fail(user.file, `${user.field}.client-certificate`, 'missing (client-key is set)');
  const token = optionalString(user, 'token');
  const tokenPath = optionalString(user, 'tokenFile');
  const username = optionalString(user, 'username');
  const password = optionalString(user, 'password') ?? '';
  if ((token || tokenPath) && username)
    throw fail(user.file, user.field, 'sets both a token and a username/password; only one may be used');
  let tokenFile: TokenFile | undefined;
  if (tokenPath) {
    const full = pathIn(user, tokenPath);
    try {
      tokenFile = await TokenFile.open(full, tokenMaxAgeMs);
    } catch (err) {
      throw fail(user.file, `${user.field}.tokenFile`, reason(err));
    }
  }
  const as = optionalString(user, 'as');
  const groups = user.body['as-groups'];
  if (groups != null && (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string')))
    throw fail(user.file, `${user.field}.as-groups`, 'must be a list of strings');
  return {
    cert,
    key,
    token,
    tokenFile,
    basic: username !== undefined ? Buffer.from(`${username}:${password}`).toString('base64') : undefined,
    impersonate: as,
    impersonateGroups: (groups as string[] | null | undefined) ?? undefined,
    needsClientNode,
  };
}

async function applyAuth(opts: RequestOptions, auth: AuthSettings): Promise<void> {
  if (auth.cert) opts.cert = auth.cert;
  if (auth.key) opts.key = auth.key;
  const headers: OutgoingHttpHeaders = { ...(opts.headers as OutgoingHttpHeaders | undefined) };
  // A token file, read again now and then, wins over a token (as in client-go).
  const token = auth.tokenFile ? await auth.tokenFile.get() : auth.token;
  if (token) headers['Authorization'] = `Bearer ${token}`;
  else if (auth.basic) headers['Authorization'] = `Basic ${auth.basic}`;
  if (auth.impersonate) headers['Impersonate-User'] = auth.impersonate;
  if (auth.impersonateGroups?.length) headers['Impersonate-Group'] = auth.impersonateGroups;
  opts.headers = headers;
}

// ---- credentials @kubernetes/client-node handles ------------------------------------------------

/** Fields of users and clusters that name files, resolved for a config without a directory. */
const USER_PATHS = ['client-certificate', 'client-key', 'tokenFile'];
const CLUSTER_PATHS = ['certificate-authority'];

function withAbsolutePaths(entry: Entry, keys: readonly string[]): Mapping {
  const body: Mapping = { ...entry.body };
  for (const key of keys) {
    const v = body[key];
    if (typeof v === 'string' && v.length > 0) body[key] = pathIn(entry, v);
  }
  return body;
}

async function clientNodeConfig(cluster: Entry, user: Entry | undefined): Promise<KubeConnection> {
  const userBody = user ? withAbsolutePaths(user, USER_PATHS) : {};
  const exec = userBody['exec'];
  if (user && isMapping(exec) && typeof exec['command'] === 'string') {
    // kubectl runs a command given with a relative path from the kubeconfig's directory.
    const command = exec['command'];
    if (!isAbsolute(command) && (command.includes('/') || command.includes(sep)))
      userBody['exec'] = { ...exec, command: pathIn(user, command) };
  }
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster.name, cluster: withAbsolutePaths(cluster, CLUSTER_PATHS) }],
    users: [{ name: user?.name ?? 'anonymous', user: userBody }],
    contexts: [{ name: 'current', context: { cluster: cluster.name, user: user?.name ?? 'anonymous' } }],
    'current-context': 'current',
  };
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    kc.loadFromString(JSON.stringify(config));
  } catch (err) {
    throw fail(user?.file ?? cluster.file, user?.field ?? cluster.field, reason(err));
  }
  return kc;
}

// ---- in a cluster -----------------------------------------------------------------------------

async function loadInCluster(
  env: Readonly<Record<string, string | undefined>>,
  dir: string,
  tokenMaxAgeMs: number,
): Promise<LoadedKubeConfig> {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port)
    throw new KubeConfigError(
      'no kubeconfig given (KUBECONFIG) and not in a cluster (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set)',
    );
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  const caFile = join(dir, 'ca.crt');
  let ca: Buffer;
  try {
    ca = await readFile(caFile);
  } catch (err) {
    throw new KubeConfigError(`in-cluster CA ${caFile} cannot be read: ${reason(err)}`, {
      file: caFile,
    });
  }
  const tokenPath = join(dir, 'token');
  let token: TokenFile;
  try {
    token = await TokenFile.open(tokenPath, tokenMaxAgeMs);
  } catch (err) {
    throw new KubeConfigError(`in-cluster service account token: ${reason(err)}`, {
      file: tokenPath,
    });
  }
  let namespace: string | undefined;
  try {
    namespace = (await readFile(join(dir, 'namespace'), 'utf8')).trim() || undefined;
  } catch {
    // optional
  }
  return {
    server,
    namespace,
    context: undefined,
    delegated: false,
    getCurrentCluster: () => ({ server }),
    applyToHTTPSOptions: async (opts) => {
      opts.ca = ca;
      opts.headers = {
        ...(opts.headers as OutgoingHttpHeaders | undefined),
        Authorization: `Bearer ${await token.get()}`,
      };
    },
  };
}

/**
 * A bearer token kept in a file that is rotated (projected service account tokens): read again
 * once the copy in memory is older than `maxAgeMs`; when that read fails, the last one is used.
 */
class TokenFile {
  readonly #path: string;
  readonly #maxAgeMs: number;
  #token: string;
  #readAt: number;
  #reading: Promise<string> | undefined;

  private constructor(path: string, maxAgeMs: number, token: string) {
    this.#path = path;
    this.#maxAgeMs = maxAgeMs;
    this.#token = token;
    this.#readAt = Date.now();
  }

  static async open(path: string, maxAgeMs: number): Promise<TokenFile> {
    return new TokenFile(path, maxAgeMs, await readToken(path));
  }

  get(): Promise<string> {
    if (Date.now() - this.#readAt < this.#maxAgeMs) return Promise.resolve(this.#token);
    this.#reading ??= readToken(this.#path)
      .then(
        (token) => (this.#token = token),
        () => this.#token,
      )
      .finally(() => {
        this.#readAt = Date.now();
        this.#reading = undefined;
      });
    return this.#reading;
  }
}

async function readToken(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${path}: ${reason(err)}`);
  }
  const token = text.trim();
  if (!token) throw new Error(`${path} is empty`);
  return token;
}
