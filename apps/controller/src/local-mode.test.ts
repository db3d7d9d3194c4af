// `--local DIR`: the reconcilers on a folder of manifests, each Agent run as a child process (of
// the built agent runtime, or a BYO agent's own command), reached through the API's A2A proxy;
// deleting the Agent stops it. What the API creates is written into the folder.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { AGENT, SECRET } from '@agentplane/k8s/kinds';
import { freePort } from '@agentplane/testing/free-port';
import { mcpServerCommand } from '@agentplane/testing/mcp-servers';
import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import { waitFor } from '@agentplane/testing/wait';
import { resolveControllerConfig } from './config.js';
import { startController, type RunningController } from './controller-app.js';

const RUNTIME = join(import.meta.dirname, '..', '..', 'agent-runtime', 'dist', 'main.js');
const built = existsSync(RUNTIME);

/** A ModelConfig `model` (OpenAI-compatible at `baseUrl`) and its key Secret, as one manifest file. */
const modelManifests = (baseUrl: string): string =>
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
        openAI: { baseUrl },
      },
    },
  ]
    .map((doc) => stringify(doc))
    .join('---\n');
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

    writeFileSync(join(manifests, 'model.yaml'), modelManifests(llm.baseUrlOpenAI));
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

describe.skipIf(!built)('controller --local: an Agent used as a tool', () => {
  let dir: string;
  let manifests: string;
  let llm: MockLlm;
  let controller: RunningController | undefined;
  let api = '';

  const agentYaml = (name: string, spec: Record<string, unknown>): string =>
    stringify({
      apiVersion: 'kagent.dev/v1alpha2',
      kind: 'Agent',
      metadata: { name },
      spec: {
        type: 'Declarative',
        description: `the ${name}`,
        declarative: { modelConfig: 'model', ...spec },
      },
    });
  const helperYaml = agentYaml('helper', { systemMessage: 'You know the secret.' });
  const ask = async (text: string): Promise<string> => {
    const res = await fetch(`${api}/api/a2a/default/boss/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'message/send',
        params: {
          message: { role: 'user', messageId: crypto.randomUUID(), parts: [{ kind: 'text', text }] },
        },
      }),
    });
    return `${res.status} ${await res.text()}`;
  };
  const ready = async (name: string): Promise<boolean> => {
    const agent = await controller!.services.store.get(AGENT, 'default', name);
    const conditions = (agent?.['status'] as { conditions?: AgentCondition[] } | undefined)?.conditions;
    return ['Accepted', 'Ready'].every((t) => conditions?.some((c) => c.type === t && c.status === 'True'));
  };
  const helperUrl = (): Promise<string | undefined> =>
    controller!.services.agentResolver.resolve({ namespace: 'default', name: 'helper' });
  const helperAnswers = (): number => llm.ruleUsage().find((r) => r.name === 'helper')?.uses ?? 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'controller-local-subagent-'));
    manifests = join(dir, 'manifests');
    mkdirSync(manifests);
    llm = await startMockLlm({
      rules: [
        {
          name: 'delegate',
          match: { contains: 'ask the helper', role: 'user' },
          response: {
            toolCalls: [
              { name: 'default__NS__helper', arguments: { request: 'What is the secret number?' } },
            ],
          },
        },
        {
          name: 'helper',
          match: { contains: 'What is the secret number?', role: 'user' },
          response: { content: 'The secret number is 42.' },
        },
        {
          name: 'relay',
          match: { contains: 'The secret number is 42.', role: 'tool' },
          response: { content: 'My helper says: the secret number is 42.' },
        },
      ],
    });
    const config = resolveControllerConfig(
      {
        local: manifests,
        dataDir: join(dir, 'data'),
        apiPort: String(await freePort()),
        metricsPort: '0',
        logLevel: 'silent',
      },
      {},
    );
    controller = await startController(config, { env: { PATH: process.env['PATH'] } });
    api = controller.apiUrl;
  });

  afterAll(async () => {
    await controller?.stop();
    await llm?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delegates to the sub-agent through the A2A proxy, also after it comes back on another port', async () => {
    writeFileSync(join(manifests, 'model.yaml'), modelManifests(llm.baseUrlOpenAI));
    // The parent first, its sub-agent later.
    writeFileSync(
      join(manifests, 'boss.yaml'),
      agentYaml('boss', {
        systemMessage: 'Delegate.',
        tools: [{ type: 'Agent', agent: { name: 'helper' } }],
      }),
    );
    await waitFor(
      async () => {
        const agent = await controller!.services.store.get(AGENT, 'default', 'boss');
        const conditions = (agent?.['status'] as { conditions?: AgentCondition[] } | undefined)?.conditions;
        const accepted = conditions?.find((c) => c.type === 'Accepted');
        return accepted?.status === 'False' && accepted.message?.includes('default/helper not found');
      },
      { timeoutMs: 20_000, description: 'the parent waiting for its sub-agent' },
    );
    writeFileSync(join(manifests, 'helper.yaml'), helperYaml);
    await waitFor(async () => (await ready('boss')) && (await ready('helper')), {
      timeoutMs: 45_000,
      description: 'both agents running and Ready',
    });

    const first = await ask('Please ask the helper for the secret number.');
    expect(first).toMatch(/^200 /);
    expect(first).toContain('My helper says: the secret number is 42.');
    expect(helperAnswers()).toBe(1);

    // The sub-agent goes away and comes back as a new process on another port; the parent,
    // left running as it was, still reaches it.
    const oldUrl = await helperUrl();
    unlinkSync(join(manifests, 'helper.yaml'));
    await waitFor(async () => (await helperUrl()) === undefined, {
      timeoutMs: 15_000,
      description: 'the sub-agent stopped',
    });
    writeFileSync(join(manifests, 'helper.yaml'), helperYaml);
    const newUrl = await waitFor(
      async () => ((await ready('boss')) && (await ready('helper')) ? await helperUrl() : false),
      { timeoutMs: 45_000, description: 'the sub-agent back' },
    );
    expect(newUrl).not.toBe(oldUrl);
    const second = await ask('Please ask the helper for the secret number again.');
    expect(second).toContain('My helper says: the secret number is 42.');
    expect(helperAnswers()).toBe(2);
  }, 120_000);
});

const BYO_AGENT = join(import.meta.dirname, 'local', 'testdata', 'byo-agent.mjs');
const ADAPTER = join(import.meta.dirname, '..', '..', 'mcp-adapter', 'dist', 'main.js');

interface AgentCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

describe('controller --local: BYO agents, API write-back, MCPServer tools', () => {
  let dir: string;
  let manifests: string;
  let apiPort: number;
  let controller: RunningController | undefined;

  const start = async (): Promise<RunningController> => {
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
    return startController(config, { env: { PATH: process.env['PATH'] } });
  };
  const api = (path: string, init?: RequestInit): Promise<Response> =>
    fetch(`http://127.0.0.1:${apiPort}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json' },
    });
  const send = async (agent: string, text: string): Promise<string> => {
    const res = await api(`/api/a2a/default/${agent}/`, {
      method: 'POST',
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'message/send',
        params: { message: { role: 'user', messageId: 'm1', parts: [{ kind: 'text', text }] } },
      }),
    });
    return res.ok ? res.text() : `HTTP ${res.status}`;
  };
  const readyOf = async (name: string): Promise<AgentCondition | undefined> => {
    const agent = await controller!.services.store.get(AGENT, 'default', name);
    const conditions = (agent?.['status'] as { conditions?: AgentCondition[] } | undefined)?.conditions;
    return conditions?.find((c) => c.type === 'Ready');
  };
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'controller-local-byo-'));
    manifests = join(dir, 'manifests');
    mkdirSync(manifests);
    apiPort = await freePort();
    controller = await start();
  });

  afterAll(async () => {
    await controller?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a BYO agent with a cmd as a process in the folder, restarts it when it exits, and stops it when deleted', async () => {
    // A relative script path: BYO commands run in the manifest folder.
    copyFileSync(BYO_AGENT, join(manifests, 'byo-agent.mjs'));
    const file = join(manifests, 'byo.yaml');
    writeFileSync(
      file,
      stringify({
        apiVersion: 'kagent.dev/v1alpha2',
        kind: 'Agent',
        metadata: { name: 'byo' },
        spec: {
          type: 'BYO',
          description: 'bring your own',
          byo: {
            deployment: {
              image: 'example.com/byo:1',
              cmd: process.execPath,
              args: ['byo-agent.mjs', '--port', '$(PORT)'],
              env: [{ name: 'GREETING', value: 'hi' }],
            },
          },
        },
      }),
    );
    await waitFor(async () => (await readyOf('byo'))?.status === 'True', {
      timeoutMs: 20_000,
      description: 'the BYO agent Ready',
    });
    const first = await send('byo', 'who are you?');
    // kagent's env contract: KAGENT_NAMESPACE/NAME/URL (this API), plus the Agent's own env.
    expect(first).toContain('BYO default/byo');
    expect(first).toContain('greeting=hi');
    expect(first).toContain(`url=http://127.0.0.1:${apiPort}`);
    const pid = Number(/pid=(\d+)/.exec(first)?.[1]);
    expect(alive(pid)).toBe(true);

    // It exits by itself: restarted (after a backoff), on the same address.
    expect(await send('byo', 'exit')).toContain(`pid=${pid}`);
    const secondPid = await waitFor(
      async () => {
        const answer = await send('byo', 'again?');
        const p = Number(/pid=(\d+)/.exec(answer)?.[1]);
        return p > 0 && p !== pid ? p : false;
      },
      { timeoutMs: 20_000, description: 'the BYO agent restarted' },
    );

    unlinkSync(file);
    await waitFor(() => !alive(secondPid), { timeoutMs: 15_000, description: 'the BYO process stopped' });
    expect((await api('/api/a2a/default/byo/.well-known/agent-card.json')).status).toBe(404);
  }, 60_000);

  it('gives an image-only BYO agent a Ready condition saying it cannot run locally and what to set', async () => {
    writeFileSync(
      join(manifests, 'image-only.yaml'),
      stringify({
        apiVersion: 'kagent.dev/v1alpha2',
        kind: 'Agent',
        metadata: { name: 'image-only' },
        spec: { type: 'BYO', description: 'image only', byo: { deployment: { image: 'example.com/byo:1' } } },
      }),
    );
    const ready = await waitFor(
      async () => {
        const c = await readyOf('image-only');
        return c?.message?.includes('cmd') ? c : false;
      },
      { timeoutMs: 20_000, description: 'the image-only agent explained' },
    );
    expect(ready).toMatchObject({ status: 'False', reason: 'DeploymentNotReady' });
    expect(ready.message).toContain('an image-only BYO agent cannot run locally');
    expect(ready.message).toContain('spec.byo.deployment.cmd');
    // Nothing runs it: the proxy has no address for it.
    expect(await send('image-only', 'hello?')).toBe('HTTP 502');
    unlinkSync(join(manifests, 'image-only.yaml'));
  }, 30_000);

  it('writes what the API creates into the folder, reads it back after a restart, and removes what it deletes', async () => {
    const created = await api('/api/modelconfigs', {
      method: 'POST',
      body: JSON.stringify({
        ref: 'default/from-api',
        provider: { type: 'OpenAI' },
        model: 'gpt-4o-mini',
        apiKey: 'sk-local',
        openAI: { baseUrl: 'http://127.0.0.1:9/v1' },
      }),
    });
    expect(created.status).toBe(201);
    const agent = await api('/api/agents', {
      method: 'POST',
      body: JSON.stringify({
        apiVersion: 'kagent.dev/v1alpha2',
        kind: 'Agent',
        metadata: { name: 'api-agent', namespace: 'default' },
        spec: {
          type: 'Declarative',
          description: 'created through the API',
          declarative: { modelConfig: 'from-api', systemMessage: 'Hello.' },
        },
      }),
    });
    expect(agent.status).toBe(201);
    const files = [
      'modelconfig-default-from-api.yaml',
      'secret-default-from-api.yaml',
      'agent-default-api-agent.yaml',
    ];
    for (const f of files) expect(existsSync(join(manifests, f))).toBe(true);
    expect(parse(readFileSync(join(manifests, 'agent-default-api-agent.yaml'), 'utf8'))).toMatchObject({
      kind: 'Agent',
      metadata: { name: 'api-agent', namespace: 'default' },
      spec: { declarative: { modelConfig: 'from-api' } },
    });

    await controller!.stop();
    controller = await start();
    const models = (await (await api('/api/modelconfigs')).json()) as { data: { ref: string }[] };
    expect(models.data.map((m) => m.ref)).toContain('default/from-api');
    const agents = (await (await api('/api/agents')).json()) as AgentsBody;
    expect(agents.data.map((a) => a.id)).toContain('default__NS__api_agent');
    const secret = await controller.services.store.get(SECRET, 'default', 'from-api');
    expect(secret?.['data']).toMatchObject({ OPENAI_API_KEY: Buffer.from('sk-local').toString('base64') });

    expect((await api('/api/agents/default/api-agent', { method: 'DELETE' })).ok).toBe(true);
    expect((await api('/api/modelconfigs/default/from-api', { method: 'DELETE' })).ok).toBe(true);
    for (const f of files) expect(existsSync(join(manifests, f))).toBe(false);
    expect(await controller.services.store.get(AGENT, 'default', 'api-agent')).toBeUndefined();
  }, 60_000);

  it.skipIf(!existsSync(ADAPTER))(
    'runs a stdio MCPServer and discovers its tools into the API',
    async () => {
      const cmd = mcpServerCommand({ server: 'everything', transport: 'stdio' });
      writeFileSync(
        join(manifests, 'everything.yaml'),
        stringify({
          apiVersion: 'kagent.dev/v1alpha1',
          kind: 'MCPServer',
          metadata: { name: 'everything' },
          spec: { transportType: 'stdio', deployment: { cmd: cmd.command, args: cmd.args, port: 3000 } },
        }),
      );
      const server = await waitFor(
        async () => {
          const body = (await (await api('/api/toolservers')).json()) as {
            data: { ref: string; groupKind: string; discoveredTools: { name: string }[] }[];
          };
          return body.data.find((s) => s.ref === 'default/everything') ?? false;
        },
        { timeoutMs: 45_000, description: 'the MCPServer tools discovered' },
      );
      expect(server.groupKind).toBe('MCPServer.kagent.dev');
      expect(server.discoveredTools.map((t) => t.name)).toContain('echo');
    },
    60_000,
  );
});
