// `--local DIR`: the reconcilers on a folder of manifests, each Agent run as a child process of
// the built agent runtime, reached through the API's A2A proxy; deleting the Agent stops it.
import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { freePort } from '@agentplane/testing/free-port';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { waitFor } from '@agentplane/testing/wait';
import { resolveControllerConfig } from './config.js';
import { startController, type RunningController } from './controller-app.js';

const RUNTIME = join(import.meta.dirname, '..', '..', 'agent-runtime', 'dist', 'main.js');
const built = existsSync(RUNTIME);
if (!built) console.warn(`\n!!! ${RUNTIME} is missing: run pnpm nx run @agentplane/agent-runtime:build\n`);

interface AgentsBody {
  data: { id: string; deploymentReady: boolean; accepted: boolean }[];
}

describe.skipIf(!built)('controller --local', () => {
  let dir: string;
  let llm: MockLlm;
  let controller: RunningController | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'controller-local-'));
    llm = await startMockLlm({
      rules: [{ name: 'hello', response: { content: 'Hello from a local agent.' } }],
    });
  });

  afterAll(async () => {
    await controller?.stop();
    await llm?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs an Agent from a folder as a process, serves it through the A2A proxy, and stops it when deleted', async () => {
    const manifests = join(dir, 'manifests');
    const agentFile = join(manifests, 'agent.yaml');
    const apiPort = await freePort();
    const config = resolveControllerConfig(
      {
        local: manifests,
        dataDir: join(dir, 'data'),
        apiPort: String(apiPort),
        metricsPort: '0',
        logLevel: 'silent',
      },
      {},
    );
    expect(config.controllerUrl).toBe(`http://127.0.0.1:${apiPort}`);
    controller = await startController(config, { env: { PATH: process.env['PATH'] } });
    const api = controller.apiUrl;

    writeFileSync(
      join(manifests, 'model.yaml'),
      [
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'key' }, stringData: { OPENAI_API_KEY: 'k' } },
        {
          apiVersion: 'kagent.dev/v1alpha2',
          kind: 'ModelConfig',
          metadata: { name: 'model' },
          spec: {
            provider: 'OpenAI',
            model: 'mock-model',
            apiKeySecret: 'key',
            apiKeySecretKey: 'OPENAI_API_KEY',
            openAI: { baseUrl: llm.baseUrlOpenAI },
          },
        },
      ]
        .map((doc) => stringify(doc))
        .join('---\n'),
    );
    writeFileSync(
      agentFile,
      stringify({
        apiVersion: 'kagent.dev/v1alpha2',
        kind: 'Agent',
        metadata: { name: 'local' },
        spec: {
          type: 'Declarative',
          description: 'local',
          declarative: { modelConfig: 'model', systemMessage: 'Hi.' },
        },
      }),
    );

    await waitFor(
      async () => {
        const body = (await (await fetch(`${api}/api/agents`)).json()) as AgentsBody;
        return body.data.length === 1 && body.data[0]?.accepted === true && body.data[0].deploymentReady;
      },
      { timeoutMs: 30_000, description: 'the local agent running and Ready' },
    );

    const res = await fetch(`${api}/api/a2a/default/local/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'message/send',
        params: { message: { role: 'user', messageId: 'm1', parts: [{ kind: 'text', text: 'hi' }] } },
      }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Hello from a local agent.');
    expect(llm.requests).toHaveLength(1);
    // The agent keeps its session through the controller's API (KAGENT_URL points there).
    const sessions = (await (await fetch(`${api}/api/sessions`)).json()) as { data: unknown[] };
    expect(sessions.data.length).toBe(1);

    unlinkSync(agentFile);
    const { agentResolver } = controller.services;
    await waitFor(
      async () => (await agentResolver.resolve({ namespace: 'default', name: 'local' })) === undefined,
      {
        timeoutMs: 15_000,
        description: 'the agent process stopped',
      },
    );
    expect((await fetch(`${api}/api/a2a/default/local/.well-known/agent-card.json`)).status).toBe(404);
  }, 60_000);
});
