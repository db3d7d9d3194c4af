import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';

// The CLI runs from its TypeScript source under plain node (type stripping), with a resolve hook
// that maps the sources' "./x.js" imports to "./x.ts", so the test needs no build.
const cli = fileURLToPath(new URL('../mock-llm-cli.ts', import.meta.url));
const hook = fileURLToPath(new URL('./testdata/ts-resolve-hook.mjs', import.meta.url));
const kagentScript = fileURLToPath(new URL('./testdata/kagent-script.json', import.meta.url));

interface Cli {
  readonly child: ChildProcess;
  readonly output: () => string;
}

function runCli(args: readonly string[]): Cli {
  const child = spawn(process.execPath, ['--no-warnings', '--import', hook, cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return { child, output: () => output };
}

async function waitForUrl(run: Cli, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = /mock-llm listening on (http:\/\/\S+)/.exec(run.output());
    if (match?.[1] !== undefined) return match[1];
    if (run.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the CLI did not print its URL; output:\n${run.output()}`);
}

describe('mock-llm CLI', () => {
  const started: ChildProcess[] = [];

  afterEach(() => {
    for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('serves a script file and stops cleanly on SIGTERM', async () => {
    const run = runCli(['--script', kagentScript, '--port', '0']);
    started.push(run.child);
    const url = await waitForUrl(run);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'k', maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Hi from kagent format');

    const exited = once(run.child, 'exit');
    run.child.kill('SIGTERM');
    const [code] = (await exited) as [number | null, NodeJS.Signals | null];
    expect(code).toBe(0);
  });

  it('stops cleanly on SIGINT', async () => {
    const run = runCli(['--script', kagentScript]);
    started.push(run.child);
    await waitForUrl(run);
    const exited = once(run.child, 'exit');
    run.child.kill('SIGINT');
    const [code] = (await exited) as [number | null, NodeJS.Signals | null];
    expect(code).toBe(0);
  });

  it('exits 2 with the JSON path when the script is invalid', async () => {
    const run = runCli([
      '--script',
      fileURLToPath(new URL('./testdata/invalid-script.json', import.meta.url)),
    ]);
    started.push(run.child);
    const [code] = (await once(run.child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(run.output()).toContain('rules[0].response.toolCalls[0].name');
  });
});
