import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError, KubeConfigError } from './errors.js';
import { KubeClient } from './kube-client.js';
import { loadKubeConfig, type LoadedKubeConfig } from './kube-config.js';

const run = promisify(execFile);

/** What the test API server saw of a request. */
interface Seen {
  authorization: string | null;
  impersonateUser: string | null;
  clientCert: string | null;
}

let dir: string;
let server: Server;
let port: number;
/** PEM of the CA that signed the server's certificate and the client certificate. */
let caPem: string;
let clientCertPem: string;
let clientKeyPem: string;

const b64 = (pem: string): string => Buffer.from(pem).toString('base64');

/** Writes a file under the temp dir (creating folders) and returns its path. */
async function put(path: string, text: string): Promise<string> {
  const full = join(dir, path);
  await mkdir(join(full, '..'), { recursive: true });
  await writeFile(full, text);
  return full;
}

interface KubeconfigParts {
  server?: string;
  cluster?: Record<string, unknown>;
  user?: Record<string, unknown>;
  context?: Record<string, unknown>;
}

/** A one-context kubeconfig (as JSON, which is YAML) for the test server. */
function kubeconfig(parts: KubeconfigParts = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'test', cluster: { server: parts.server ?? `https://127.0.0.1:${port}`, ...parts.cluster } },
    ],
    users: [{ name: 'me', user: parts.user ?? {} }],
    contexts: [{ name: 'test', context: { cluster: 'test', user: 'me', ...parts.context } }],
    'current-context': 'test',
  });
}

/** One request through a KubeClient built from the loaded config. */
async function call(kubeConfig: LoadedKubeConfig): Promise<Seen> {
  const client = new KubeClient({ kubeConfig });
  try {
    return await client.request<Seen>('GET', '/api');
  } finally {
    client.close();
  }
}

async function loadError(options: Parameters<typeof loadKubeConfig>[0]): Promise<KubeConfigError> {
  const err: unknown = await loadKubeConfig(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KubeConfigError);
  return err as KubeConfigError;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kube-config-test-'));
  const ec = ['-nodes', '-days', '2', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  const ca = ['-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key')];
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    join(dir, 'ca.key'),
    '-out',
    join(dir, 'ca.crt'),
    '-subj',
    '/CN=test-ca',
  ]);
  // The server's name is kube.internal and 127.0.0.1: https://localhost:<port> does not match it.
  await run('openssl', [
    'req', '-x509', ...ec, ...ca, '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.crt'),
    '-subj', '/CN=kube', '-addext', 'subjectAltName=DNS:kube.internal,IP:127.0.0.1',
  ]); // prettier-ignore
  await run('openssl', [
    'req', '-x509', ...ec, ...ca, '-keyout', join(dir, 'client.key'), '-out', join(dir, 'client.crt'),
    '-subj', '/CN=alice', '-addext', 'extendedKeyUsage=clientAuth',
  ]); // prettier-ignore
  caPem = await readFile(join(dir, 'ca.crt'), 'utf8');
  clientCertPem = await readFile(join(dir, 'client.crt'), 'utf8');
  clientKeyPem = await readFile(join(dir, 'client.key'), 'utf8');
  server = createServer(
    {
      key: await readFile(join(dir, 'server.key')),
      cert: await readFile(join(dir, 'server.crt')),
      ca: caPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const cert = socket.authorized ? socket.getPeerCertificate() : undefined;
      const seen: Seen = {
        authorization: req.headers.authorization ?? null,
        impersonateUser: (req.headers['impersonate-user'] as string | undefined) ?? null,
        clientCert: (cert?.subject?.CN as string | undefined) ?? null,
      };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(seen));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('loadKubeConfig from files', () => {
  it('uses the current context: server, CA file relative to the kubeconfig, token, namespace', async () => {
    await put('a/certs/ca.crt', caPem);
    const file = await put(
      'a/config',
      kubeconfig({
        cluster: { 'certificate-authority': 'certs/ca.crt' },
        user: { token: 'tok-1' },
        context: { namespace: 'team-a' },
      }),
    );
    const kc = await loadKubeConfig({ kubeconfig: file });
    expect(kc).toMatchObject({
      server: `https://127.0.0.1:${port}`,
      namespace: 'team-a',
      context: 'test',
      delegated: false,
    });
    expect(await call(kc)).toEqual({
      authorization: 'Bearer tok-1',
      impersonateUser: null,
      clientCert: null,
    });
  });

  it('authenticates with a client certificate and key, given as files or as data', async () => {
    await put('b/pki/alice.crt', clientCertPem);
    await put('b/pki/alice.key', clientKeyPem);
    const fromFiles = await put(
      'b/config',
      kubeconfig({
        cluster: { 'certificate-authority-data': b64(caPem) },
        user: { 'client-certificate': 'pki/alice.crt', 'client-key': './pki/alice.key' },
      }),
    );
    expect((await call(await loadKubeConfig({ kubeconfig: fromFiles }))).clientCert).toBe('alice');

    const fromData = await put(
      'b/config-data',
      kubeconfig({
        cluster: { 'certificate-authority-data': b64(caPem) },
        user: {
          'client-certificate-data': b64(clientCertPem),
          'client-key-data': b64(clientKeyPem),
          as: 'bob',
        },
      }),
    );
    expect(await call(await loadKubeConfig({ kubeconfig: fromData }))).toEqual({
      authorization: null,
      impersonateUser: 'bob',
      clientCert: 'alice',
    });
  });

  it('sends a username and password as basic auth', async () => {
    const file = await put(
      'c/config',
      kubeconfig({
        cluster: { 'certificate-authority-data': b64(caPem) },
        user: { username: 'admin', password: 's3cret' },
      }),
    );
    expect((await call(await loadKubeConfig({ kubeconfig: file }))).authorization).toBe(
      `Basic ${Buffer.from('admin:s3cret').toString('base64')}`,
    );
  });

  it('reads a tokenFile again once its copy is older than the max age, and prefers it to token', async () => {
    const tokenPath = await put('d/token', 'first\n');
    const file = await put(
      'd/config',
      kubeconfig({
        cluster: { 'certificate-authority-data': b64(caPem) },
        user: { token: 'static', tokenFile: 'token' },
      }),
    );
    const kc = await loadKubeConfig({ kubeconfig: file, tokenMaxAgeMs: 300 });
    expect((await call(kc)).authorization).toBe('Bearer first');
    await writeFile(tokenPath, 'second');
    expect((await call(kc)).authorization).toBe('Bearer first');
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await call(kc)).authorization).toBe('Bearer second');
    // A file that cannot be read any more: the last token read stays in use.
    await rm(tokenPath);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await call(kc)).authorization).toBe('Bearer second');
  });

  it('verifies the server by tls-server-name, and skips verification when insecure', async () => {
    // The server's certificate is for kube.internal and 127.0.0.1.
    const named = async (name: string): Promise<LoadedKubeConfig> =>
      loadKubeConfig({
        kubeconfig: await put(
          `e/${name}`,
          kubeconfig({
            cluster: { 'certificate-authority-data': b64(caPem), 'tls-server-name': name },
            user: { token: 't' },
          }),
        ),
      });
    const err = await call(await named('other.internal')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as Error).message).toMatch(/other\.internal/);
    expect((await call(await named('kube.internal'))).authorization).toBe('Bearer t');

    const untrusted = await put('e/untrusted', kubeconfig({ user: { token: 't' } }));
    await expect(call(await loadKubeConfig({ kubeconfig: untrusted }))).rejects.toThrow(KubeApiError);
    const insecure = await put(
      'e/insecure',
      kubeconfig({ cluster: { 'insecure-skip-tls-verify': true }, user: { token: 't' } }),
    );
    expect((await call(await loadKubeConfig({ kubeconfig: insecure }))).authorization).toBe('Bearer t');
  });

  it('merges a KUBECONFIG list like kubectl: the first file setting a name or current-context wins', async () => {
    // first: the current context and a user; second: the cluster (CA relative to its own folder),
    // a user of the same name (ignored), and a current-context of its own (ignored).
    const first = await put(
      'f/one/config',
      JSON.stringify({
        contexts: [{ name: 'work', context: { cluster: 'shared', user: 'dev', namespace: 'ns1' } }],
        users: [{ name: 'dev', user: { token: 'from-first' } }],
        'current-context': 'work',
      }),
    );
    await put('f/two/ca.pem', caPem);
    const second = await put(
      'f/two/config',
      JSON.stringify({
        clusters: [
          {
            name: 'shared',
            cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority': 'ca.pem' },
          },
        ],
        users: [{ name: 'dev', user: { token: 'from-second' } }],
        contexts: [{ name: 'other', context: { cluster: 'shared', user: 'dev' } }],
        'current-context': 'other',
      }),
    );
    const missing = join(dir, 'f/none/config');
    const kc = await loadKubeConfig({ kubeconfig: [first, missing, second].join(delimiter) });
    expect(kc).toMatchObject({ context: 'work', namespace: 'ns1' });
    expect((await call(kc)).authorization).toBe('Bearer from-first');
    // The same as a list.
    expect((await loadKubeConfig({ kubeconfig: [second, first] })).context).toBe('other');
  });

  it('runs an exec credential plugin through @kubernetes/client-node', async () => {
    await put(
      'g/bin/plugin.sh',
      '#!/bin/sh\nprintf \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-exec"}}\'\n',
    );
    await chmod(join(dir, 'g/bin/plugin.sh'), 0o755);
    const file = await put(
      'g/config',
      kubeconfig({
        cluster: { 'certificate-authority-data': b64(caPem) },
        // A relative command runs from the kubeconfig's folder, as with kubectl.
        user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './bin/plugin.sh' } },
      }),
    );
    const kc = await loadKubeConfig({ kubeconfig: file });
    expect(kc.delegated).toBe(true);
    expect((await call(kc)).authorization).toBe('Bearer from-exec');
  });
});

describe('loadKubeConfig in a cluster', () => {
  it('uses the service account token and CA, and reads the rotated token again', async () => {
    const sa = join(dir, 'serviceaccount');
    await put('serviceaccount/ca.crt', caPem);
    await put('serviceaccount/token', 'sa-token-1');
    await put('serviceaccount/namespace', 'kagent\n');
    const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(port) };
    const kc = await loadKubeConfig({ env, serviceAccountDir: sa, tokenMaxAgeMs: 200 });
    expect(kc).toMatchObject({
      server: `https://127.0.0.1:${port}`,
      namespace: 'kagent',
      context: undefined,
    });
    expect((await call(kc)).authorization).toBe('Bearer sa-token-1');
    await writeFile(join(sa, 'token'), 'sa-token-2');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await call(kc)).authorization).toBe('Bearer sa-token-2');
  });

  it('brackets an IPv6 service host', async () => {
    await put('sa6/ca.crt', caPem);
    await put('sa6/token', 'sa-token');
    const env = { KUBERNETES_SERVICE_HOST: 'fd00:10::1', KUBERNETES_SERVICE_PORT: '443' };
    const kc = await loadKubeConfig({ env, serviceAccountDir: join(dir, 'sa6') });
    expect(kc.server).toBe('https://[fd00:10::1]:443');
    expect(new URL(kc.server).hostname).toBe('[fd00:10::1]');
  });

  it('says what is missing outside a cluster or without the service account files', async () => {
    expect((await loadError({ env: {} })).message).toMatch(/KUBECONFIG.*KUBERNETES_SERVICE_HOST/);
    const env = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };
    const empty = join(dir, 'no-serviceaccount');
    const err = await loadError({ env, serviceAccountDir: empty });
    expect(err.message).toContain(join(empty, 'ca.crt'));
  });
});

describe('loadKubeConfig errors', () => {
  it('names the file and the field', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['bad-yaml', 'clusters: [\n  - name: x\n    cluster: {server: "', /malformed YAML/],
      ['no-current', JSON.stringify({ clusters: [] }), /current-context: not set/],
      [
        'no-cluster',
        JSON.stringify({
          contexts: [{ name: 'c', context: { cluster: 'gone', user: 'u' } }],
          users: [{ name: 'u', user: {} }],
          'current-context': 'c',
        }),
        /contexts\["c"\]\.context\.cluster: names cluster "gone"/,
      ],
      [
        'no-user',
        kubeconfig({ context: { user: 'nobody' } }),
        /contexts\["test"\]\.context\.user: names user "nobody"/,
      ],
      [
        'bad-ca',
        kubeconfig({ cluster: { 'certificate-authority': 'missing/ca.crt' } }),
        /clusters\["test"\]\.cluster\.certificate-authority: cannot read .*missing\/ca\.crt/,
      ],
      [
        'bad-ca-data',
        kubeconfig({ cluster: { 'certificate-authority-data': 'not base64!' } }),
        /clusters\["test"\]\.cluster\.certificate-authority-data: must be base64-encoded PEM/,
      ],
      ['no-server', kubeconfig({ server: '' }), /clusters\["test"\]\.cluster\.server: missing/],
      [
        'half-cert',
        kubeconfig({ user: { 'client-certificate-data': b64(clientCertPem) } }),
        /users\["me"\]\.user\.client-key: missing/,
      ],
      [
        'two-methods',
        kubeconfig({ user: { token: 't', username: 'u', password: 'p' } }),
        /users\["me"\]\.user: sets both a token and a username/,
      ],
      ['not-a-list', JSON.stringify({ clusters: { a: 1 } }), /clusters: must be a list/],
    ];
    for (const [name, text, message] of cases) {
      const file = await put(`errors/${name}`, text);
      const err = await loadError({ kubeconfig: file });
      expect(err.message, name).toContain(`kubeconfig ${file}: `);
      expect(err.message, name).toMatch(message);
      expect(err.file, name).toBe(file);
    }
  });

  it('names a single file that does not exist, and a list none of whose files exists', async () => {
    const missing = join(dir, 'nowhere/config');
    const single = await loadError({ kubeconfig: missing });
    expect(single.message).toMatch(new RegExp(`kubeconfig ${missing}: cannot be read: ENOENT`));
    const list = await loadError({ kubeconfig: [missing, `${missing}2`] });
    expect(list.message).toContain(`${missing}${delimiter}${missing}2`);
    expect(list.message).toContain('none of these files exists');
  });
});

describe('what loading costs', () => {
  // Importing @kubernetes/client-node costs ~90 MB: ordinary kubeconfigs must not load it.
  it('loads @kubernetes/client-node only for credential plugins', async () => {
    const src = fileURLToPath(new URL('./kube-config.ts', import.meta.url));
    const hooks = await put(
      'probe/hooks.mjs',
      `import { registerHooks } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
registerHooks({
  resolve(specifier, context, next) {
    if (specifier.startsWith('@kubernetes/client-node')) globalThis.clientNodeLoaded = true;
    if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
      const ts = new URL(specifier.replace(/\\.js$/, '.ts'), context.parentURL);
      if (existsSync(fileURLToPath(ts))) return next(ts.href, context);
    }
    return next(specifier, context);
  },
});
`,
    );
    const plain = await put('probe/plain', kubeconfig({ user: { token: 't' } }));
    const exec = await put('probe/exec', kubeconfig({ user: { exec: { command: 'true' } } }));
    const main = await put(
      'probe/main.mjs',
      `const { loadKubeConfig } = await import(${JSON.stringify(pathToFileURL(src).href)});
const plain = await loadKubeConfig({ kubeconfig: ${JSON.stringify(plain)} });
await plain.applyToHTTPSOptions({});
const afterPlain = globalThis.clientNodeLoaded === true;
const exec = await loadKubeConfig({ kubeconfig: ${JSON.stringify(exec)} });
console.log(JSON.stringify({ afterPlain, afterExec: globalThis.clientNodeLoaded === true, delegated: exec.delegated }));
`,
    );
    const { stdout } = await run(process.execPath, ['--no-warnings', '--import', hooks, main]);
    expect(JSON.parse(stdout)).toEqual({ afterPlain: false, afterExec: true, delegated: true });
  });
});
