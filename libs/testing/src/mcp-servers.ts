import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort } from './free-port.js';
import { spawnManaged } from './managed-process.js';
import type { ManagedProcess } from './managed-process.js';
import { waitFor } from './wait.js';

/** The reference MCP servers this kit runs: `@modelcontextprotocol/server-<name>`. */
export type McpServerName = 'everything' | 'memory';

/** How a server is reached. Only `everything` serves `sse` and `streamableHttp`. */
export type McpTransportKind = 'stdio' | 'sse' | 'streamableHttp';

export interface McpServerCommand {
  /** The Node binary running the tests. */
  command: string;
  args: string[];
  /** Variables the server needs; spawn it with these on top of a minimal environment. */
  env: Record<string, string>;
}

export interface McpServerCommandOptions {
  server: McpServerName;
  /** Default `stdio`. */
  transport?: McpTransportKind;
  /** More environment variables for the server. */
  env?: Record<string, string>;
  /**
   * `memory` only: the file holding its knowledge graph. Default: a new file name in the OS
   * temp folder (the server would otherwise write inside node_modules). Delete it after use.
   */
  memoryFilePath?: string;
}

export class McpServerError extends Error {
  constructor(
    readonly code: 'UNSUPPORTED_TRANSPORT' | 'SERVER_NOT_READY' | 'BIN_NOT_FOUND',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'McpServerError';
  }
}

const requireHere = createRequire(import.meta.url);

/** Absolute path of the server's bin script in node_modules (no npx, no network). */
export function mcpServerBin(server: McpServerName): string {
  const pkgName = `@modelcontextprotocol/server-${server}`;
  let pkgJsonPath: string;
  try {
    pkgJsonPath = requireHere.resolve(`${pkgName}/package.json`);
  } catch (cause) {
    throw new McpServerError('BIN_NOT_FOUND', `${pkgName} is not installed`, { cause });
  }
  const pkg = JSON.parse(readFileSync(pkgJsonPath, 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : Object.values(pkg.bin ?? {})[0];
  if (!bin) throw new McpServerError('BIN_NOT_FOUND', `${pkgName} declares no bin`);
  return join(dirname(pkgJsonPath), bin);
}

function tempMemoryFile(): string {
  return join(tmpdir(), `agentplane-mcp-memory-${process.pid}-${randomBytes(6).toString('hex')}.jsonl`);
}

/** The command line that runs a reference server, e.g. for a stdio transport adapter under test. */
export function mcpServerCommand(options: McpServerCommandOptions): McpServerCommand {
  const transport = options.transport ?? 'stdio';
  if (options.server === 'memory' && transport !== 'stdio') {
    throw new McpServerError('UNSUPPORTED_TRANSPORT', 'server-memory speaks stdio only');
  }
  const args = [mcpServerBin(options.server)];
  if (options.server === 'everything') args.push(transport);
  const env: Record<string, string> = { ...options.env };
  if (options.server === 'memory') env.MEMORY_FILE_PATH = options.memoryFilePath ?? tempMemoryFile();
  return { command: process.execPath, args, env };
}

function newClient(): Client {
  return new Client({ name: 'agentplane-tests', version: '0.0.0' });
}

export interface StdioMcpServer extends McpServerCommand, AsyncDisposable {
  /** A client connected to a server process it spawned from `command`/`args`/`env`. */
  readonly client: Client;
  /** The last lines the server wrote to stderr. */
  output(): string;
  /** Closes the client, which stops the process, and removes the memory file. */
  dispose(): Promise<void>;
}

export interface StartStdioMcpServerOptions {
  server: McpServerName;
  env?: Record<string, string>;
  memoryFilePath?: string;
}

/** Runs a reference server over stdio with a connected MCP client. */
export async function startStdioMcpServer(options: StartStdioMcpServerOptions): Promise<StdioMcpServer> {
  const memoryFile = options.server === 'memory' ? (options.memoryFilePath ?? tempMemoryFile()) : undefined;
  const cmd = mcpServerCommand({
    server: options.server,
    ...(options.env ? { env: options.env } : {}),
    ...(memoryFile ? { memoryFilePath: memoryFile } : {}),
  });
  const transport = new StdioClientTransport({ ...cmd, stderr: 'pipe' });
  const lines: string[] = [];
  transport.stderr?.on('data', (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  });
  const client = newClient();
  const removeMemoryFile = async (): Promise<void> => {
    // Only a file this helper chose is removed; a caller's own path is left alone.
    if (memoryFile && !options.memoryFilePath) await rm(memoryFile, { force: true });
  };
  try {
    await client.connect(transport);
  } catch (cause) {
    await client.close().catch(() => undefined);
    await removeMemoryFile();
    throw new McpServerError(
      'SERVER_NOT_READY',
      `server-${options.server} over stdio did not start:\n${lines.join('\n')}`,
      {
        cause,
      },
    );
  }
  let disposing: Promise<void> | undefined;
  const dispose = (): Promise<void> =>
    (disposing ??= (async () => {
      // Stop the process first: closing stdin alone leaves a server with timers running until
      // the client's grace period ends.
      if (transport.pid) {
        try {
          process.kill(transport.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      await client.close();
      await removeMemoryFile();
    })());
  return { ...cmd, client, output: () => lines.join('\n'), dispose, [Symbol.asyncDispose]: dispose };
}

export interface HttpMcpServer extends AsyncDisposable {
  readonly transport: 'sse' | 'streamableHttp';
  readonly port: number;
  /** The MCP endpoint: `http://127.0.0.1:<port>/mcp` (streamable HTTP) or `.../sse` (SSE). */
  readonly url: string;
  /** A new MCP client connected over this server's transport; closed by `dispose()`. */
  connectClient(): Promise<Client>;
  /** The last lines the server printed. */
  output(): string;
  /** Closes the clients and stops the process. */
  dispose(): Promise<void>;
}

export interface StartHttpMcpServerOptions {
  /** `streamableHttp` (endpoint `/mcp`) or `sse` (endpoint `/sse`, messages to `/message`). */
  transport: 'sse' | 'streamableHttp';
  /** Only `everything` serves HTTP. Default `everything`. */
  server?: 'everything';
  env?: Record<string, string>;
  /** Give up waiting for the port after this long. Default 20000 ms. */
  readyTimeoutMs?: number;
}

function portAcceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

class ProcessExitedError extends Error {}

async function spawnOnFreePort(
  options: StartHttpMcpServerOptions,
): Promise<{ proc: ManagedProcess; port: number }> {
  const attempts = 3;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const cmd = mcpServerCommand({ server: options.server ?? 'everything', transport: options.transport });
    // The server binds all interfaces on $PORT; another process may take the port between
    // freePort() and the bind, so a clash is retried on a new port.
    const proc = spawnManaged(cmd.command, cmd.args, {
      env: { ...cmd.env, ...options.env, PORT: String(port) },
    });
    try {
      await waitFor(
        async () => {
          if (proc.exited()) throw new ProcessExitedError('server exited');
          return portAcceptsConnections(port);
        },
        {
          timeoutMs: options.readyTimeoutMs ?? 20_000,
          description: `server-everything (${options.transport}) on port ${port}`,
          isFatal: (err) => err instanceof ProcessExitedError,
        },
      );
      return { proc, port };
    } catch (cause) {
      await proc.stop();
      if (attempt < attempts && /already in use|EADDRINUSE/.test(proc.output())) continue;
      throw new McpServerError(
        'SERVER_NOT_READY',
        `server-everything (${options.transport}) did not get ready:\n${proc.output()}`,
        { cause },
      );
    }
  }
}

/** Runs server-everything over SSE or streamable HTTP on a free port, ready to take clients. */
export async function startHttpMcpServer(options: StartHttpMcpServerOptions): Promise<HttpMcpServer> {
  const { proc, port } = await spawnOnFreePort(options);
  const url = `http://127.0.0.1:${port}${options.transport === 'sse' ? '/sse' : '/mcp'}`;
  const clients: Client[] = [];
  let disposing: Promise<void> | undefined;
  const dispose = (): Promise<void> =>
    (disposing ??= (async () => {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await proc.stop();
    })());
  return {
    transport: options.transport,
    port,
    url,
    async connectClient() {
      const client = newClient();
      const transport =
        options.transport === 'sse'
          ? new SSEClientTransport(new URL(url))
          : new StreamableHTTPClientTransport(new URL(url));
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    output: () => proc.output(),
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}
