// Test helpers: build the adapter (bundle or executable) into a temp folder, run it as a
// process in front of server-everything, and connect the official MCP client to it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { freePort } from '@agentplane/testing/free-port';
import { spawnManaged, type ManagedProcess } from '@agentplane/testing/managed-process';
import { mcpServerCommand } from '@agentplane/testing/mcp-servers';
import { waitFor } from '@agentplane/testing/wait';

const APP_ROOT = join(import.meta.dirname, '..', '..');

/** Runs scripts/build-sea.mjs into a fresh temp folder; returns the folder. */
export function buildAdapter(kind: 'bundle' | 'sea'): { dir: string; bundle: string; exe: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-adapter-build-'));
  execFileSync(
    process.execPath,
    [join(APP_ROOT, 'scripts/build-sea.mjs'), '--out', dir, ...(kind === 'bundle' ? ['--bundle-only'] : [])],
    { stdio: 'pipe', timeout: 120_000 },
  );
  return { dir, bundle: join(dir, 'mcp-adapter.cjs'), exe: join(dir, 'mcp-adapter') };
}

export interface AdapterProcess {
  readonly proc: ManagedProcess;
  readonly pid: number;
  readonly base: string;
  /** Parsed JSON log lines so far. */
  logs(): Record<string, unknown>[];
  stop(): Promise<void>;
}

/** Starts `command ...prefix --port <free> ...args` and waits for /healthz. */
export async function startAdapterProcess(
  command: string,
  prefix: readonly string[],
  args: readonly string[],
): Promise<AdapterProcess> {
  const port = await freePort();
  const proc = spawnManaged(command, [...prefix, '--host', '127.0.0.1', '--port', String(port), ...args], {
    keepLines: 2000,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'debug' },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (proc.exited()) throw new Error(`adapter exited:\n${proc.output()}`);
      return (await fetch(`${base}/healthz`)).ok;
    },
    {
      timeoutMs: 15_000,
      description: 'adapter /healthz',
      isFatal: (e) => String(e).includes('adapter exited'),
    },
  );
  return {
    proc,
    pid: proc.child.pid ?? 0,
    base,
    logs: () =>
      proc
        .output()
        .split('\n')
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    stop: () => proc.stop(),
  };
}

/** The command line of server-everything over stdio, as adapter flags. */
export function everythingFlags(): string[] {
  const { command, args } = mcpServerCommand({ server: 'everything' });
  return ['--cmd', command, '--', ...args];
}

/** Pids of the direct children of `pid` (from /proc). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** An MCP client that answers sampling requests with a canned, recognisable message. */
export async function connectClient(
  base: string,
  transport: 'streamableHttp' | 'sse',
  tag = 'client',
): Promise<Client> {
  const c = new Client({ name: `test-${tag}`, version: '1.0.0' }, { capabilities: { sampling: {} } });
  c.setRequestHandler(CreateMessageRequestSchema, (req) => ({
    model: 'test-model',
    role: 'assistant',
    content: { type: 'text', text: `sampled-by-${tag}(${JSON.stringify(req.params.messages[0]?.content)})` },
  }));
  await c.connect(
    transport === 'sse'
      ? new SSEClientTransport(new URL(`${base}/sse`))
      : new StreamableHTTPClientTransport(new URL(`${base}/mcp`)),
  );
  return c;
}

export const text = (r: unknown): string =>
  ((r as { content?: { type: string; text?: string }[] }).content ?? []).map((c) => c.text ?? '').join('\n');
