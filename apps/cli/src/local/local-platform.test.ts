import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SendMessageRequest } from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createLogger } from '@agentplane/telemetry/logger';
import { freePort } from '@agentplane/testing/free-port';
import { loadMockLlmScript, startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPlatform, type LocalPlatform } from './local-platform.js';

const appsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const repoRoot = join(appsDir, '..');
const BUILT = [
  join(appsDir, 'gateway', 'dist', 'main.js'),
  join(appsDir, 'controller', 'dist', 'main.js'),
  join(appsDir, 'agent-runtime', 'dist', 'main.js'),
  join(appsDir, 'mcp-adapter', 'dist', 'main.js'),
];

describe('agentplane local', () => {
  let platform: LocalPlatform | undefined;
  let llm: MockLlm | undefined;
  let dataDir = '';

  beforeAll(async () => {
    if (BUILT.some((file) => !existsSync(file))) {
      execFileSync(
        'pnpm',
        [
          'exec',
          'nx',
          'run-many',
          '-t',
          'build',
          '-p',
          '@agentplane/gateway',
          '@agentplane/controller',
          '@agentplane/agent-runtime',
          '@agentplane/mcp-adapter',
        ],
        { cwd: repoRoot, env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' }, stdio: 'ignore' },
      );
    }
    dataDir = mkdtempSync(join(tmpdir(), 'agentplane-local-'));
    // The demo script `agentplane local` gives the mock LLM, in process to read its requests.
    llm = await startMockLlm({
      script: await loadMockLlmScript(join(repoRoot, 'deploy', 'local', 'mock-llm.json')),
    });
  }, 300_000);

  afterAll(async () => {
    await platform?.stop();
    await llm?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the sample agent, which answers A2A through the controller with a tool call to a real MCP server', async () => {
    const [mcpPort, readinessPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const { OPENAI_API_KEY: _key, ...env } = process.env;
    platform = await startLocalPlatform({
      dataDir,
      appsDir,
      mcpPort,
      readinessPort,
      apiPort,
      nodePath: process.execPath,
      logger: createLogger({ name: 'test', level: 'silent' }),
      env: { ...env, LOG_LEVEL: 'warn' },
      mockLlmBaseUrl: llm!.baseUrlOpenAI,
      childOutput: 'ignore',
    });
    expect(platform.usesMockLlm).toBe(true);
    const a2aUrl = `http://127.0.0.1:${apiPort}/api/a2a/default/demo/`;
    expect(platform.agents).toEqual([{ ref: 'default/demo', a2aUrl, ready: true }]);
    expect(platform.example).toContain(`curl -s ${a2aUrl}`);
    expect(platform.example).toContain('"method":"message/send"');

    // The official A2A client, through the controller's proxy.
    const client = await new ClientFactory().createFromUrl(a2aUrl);
    const result = await client.sendMessage(
      SendMessageRequest.fromJSON({
        message: {
          messageId: crypto.randomUUID(),
          role: 'ROLE_USER',
          parts: [{ text: 'Please echo hello' }],
        },
      }),
    );
    expect(JSON.stringify(result)).toContain('The MCP server answered: hello from agentplane');
    // The second model request carries the echo result from the real MCP server.
    expect(llm!.requests.map((r) => r.rule?.name)).toEqual(['call-echo', 'answer-from-echo']);
    const second = llm!.requests[1]!;
    expect(second.lastMessage?.role).toBe('tool');
    expect(second.lastMessage?.text).toContain('Echo: hello from agentplane');

    // The gateway still multiplexes the sample tool servers.
    const mcp = new Client({ name: 'local-test', version: '1.0.0' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${mcpPort}/mcp`)));
    expect((await mcp.listTools()).tools.map((t) => t.name)).toContain('everything_echo');
    await mcp.close();

    await platform.stop();
    const { component } = await platform.exited;
    expect(['controller', 'gateway']).toContain(component);
  }, 120_000);
});
