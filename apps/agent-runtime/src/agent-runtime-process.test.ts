// Spawns the built runtime (dist/main.js) the way the controller's Deployment does.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@agentplane/testing/free-port';
import { spawnManaged, type ManagedProcess } from '@agentplane/testing/managed-process';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { waitFor } from '@agentplane/testing/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const mainJs = join(appDir, 'dist/main.js');
const goldenDir = fileURLToPath(
  new URL('../../../../shared/reference/kagent-golden/outputs/', import.meta.url),
);

interface Golden {
  manifest: { kind: string; stringData?: Record<string, string> }[];
}

/** The Secret the controller mounts at /config, from a golden output, with `edit` applied to config.json. */
function writeGoldenFolder(name: string, edit: (config: Record<string, unknown>) => void): string {
  const golden = JSON.parse(readFileSync(join(goldenDir, `${name}.json`), 'utf8')) as Golden;
  const data = golden.manifest.find((m) => m.kind === 'Secret')?.stringData ?? {};
  const dir = mkdtempSync(join(tmpdir(), 'agent-runtime-'));
  const config = JSON.parse(data['config.json'] ?? '{}') as Record<string, unknown>;
  edit(config);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(join(dir, 'agent-card.json'), data['agent-card.json'] ?? '');
  return dir;
}

function runToExit(args: string[]): Promise<{ code: number | null; output: string }> {
  const proc = spawnManaged(process.execPath, [mainJs, ...args], {
    env: { PATH: process.env['PATH'] ?? '' },
  });
  return new Promise((resolve) => {
    proc.child.once('exit', (code) => resolve({ code, output: proc.output() }));
  });
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024);
}

async function send(url: string, text: string, contextId?: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'message/send',
      params: {
        message: {
          kind: 'message',
          messageId: crypto.randomUUID(),
          role: 'user',
          parts: [{ kind: 'text', text }],
          contextId,
        },
      },
    }),
  });
  return ((await res.json()) as { result: Record<string, unknown> }).result;
}

describe('agent-runtime process', () => {
  let llm: MockLlm;
  const dirs: string[] = [];

  beforeAll(async () => {
    execFileSync('pnpm', ['nx', 'run', '@agentplane/agent-runtime:build', '--output-style=static'], {
      cwd: join(appDir, '../..'),
      env: { ...process.env, NX_NO_CLOUD: 'true' },
      stdio: 'ignore',
    });
    llm = await startMockLlm({
      rules: [{ match: { role: 'user' }, response: { content: 'Hello from the mock.' } }],
    });
  });

  afterAll(async () => {
    await llm.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('exits non-zero and names the field when config.json is invalid', async () => {
    const dir = writeGoldenFolder('basic_agent', (c) => {
      delete (c['model'] as Record<string, unknown>)['type'];
    });
    dirs.push(dir);
    const { code, output } = await runToExit(['--filepath', dir, '--port', '0']);
    expect(code).toBe(2);
    expect(output).toContain('model.type');
  });

  it('exits non-zero when the config folder is missing', async () => {
    const { code, output } = await runToExit(['--filepath', '/nonexistent-agent-config', '--port', '0']);
    expect(code).toBe(2);
    expect(output).toMatch(/cannot read \/nonexistent-agent-config\/(config|agent-card)\.json/);
  });

  it('runs a golden config as is, answers over A2A, and stays small', async () => {
    const dir = writeGoldenFolder('basic_agent', (c) => {
      (c['model'] as Record<string, unknown>)['base_url'] = llm.baseUrlOpenAI;
    });
    dirs.push(dir);
    const port = await freePort();
    const proc: ManagedProcess = spawnManaged(
      process.execPath,
      [mainJs, '--host', '127.0.0.1', '--port', String(port), '--filepath', dir],
      {
        env: {
          PATH: process.env['PATH'] ?? '',
          OPENAI_API_KEY: 'sk-test',
          KAGENT_NAME: 'basic-agent',
          LOG_LEVEL: 'warn',
        },
      },
    );
    try {
      const url = `http://127.0.0.1:${port}`;
      const card = await waitFor(
        async () => {
          if (proc.exited()) throw new Error(`runtime exited:\n${proc.output()}`);
          const res = await fetch(`${url}/.well-known/agent-card.json`);
          return res.ok ? ((await res.json()) as { name: string }) : undefined;
        },
        { timeoutMs: 20_000, description: 'agent card' },
      );
      expect(card.name).toBe('basic_agent');
      const pid = proc.child.pid ?? 0;
      const idleRss = rssMb(pid);

      const first = await send(url, 'hi');
      expect(first).toMatchObject({ kind: 'task', status: { state: 'completed' } });
      const contextId = first['contextId'] as string;
      for (let i = 1; i < 20; i++) {
        const r = await send(url, `turn ${i}`, contextId);
        expect(r).toMatchObject({ status: { state: 'completed' } });
      }
      const lastBody = llm.requests.at(-1)?.body as { messages: unknown[] };
      // system + 20 user turns + 19 answers: the session kept the whole conversation.
      expect(lastBody.messages).toHaveLength(40);
      const busyRss = rssMb(pid);
      console.log(`agent-runtime RSS: idle ${idleRss} MB, after a 20-turn conversation ${busyRss} MB`);
      expect(idleRss).toBeLessThan(80);
    } finally {
      await proc.stop();
    }
  });
});
