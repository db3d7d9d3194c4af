import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { findFreePort } from '@agentplane/net';
import type { Logger } from '@agentplane/telemetry';
import { localGatewayConfig } from './gateway-config.js';
import { agentRefs, curlExample, SAMPLE_FOLDER, writeSampleManifests } from './sample-agents.js';
import { packageBin, sampleToolServers } from './sample-tools.js';

export interface LocalPlatformOptions {
  /** Folder for generated config and data (created if missing). */
  dataDir: string;
  /** Where the built apps live (the repository's apps/ folder). */
  appsDir: string;
  mcpPort: number;
  readinessPort: number;
  /** Port of the controller's HTTP API (and A2A proxy). */
  apiPort: number;
  nodePath: string;
  logger: Logger;
  /** Environment the children start from. Default this process's. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Without a provider key the sample agent talks to the test kit's mock LLM, started here;
   * give an OpenAI-compatible base URL (`.../v1`) to use another one instead.
   */
  mockLlmBaseUrl?: string;
  /** Where the children's output goes. Default inherited. */
  childOutput?: 'inherit' | 'ignore';
  /** How long to wait for each component to become ready. */
  readyTimeoutMs?: number;
}

export interface LocalAgent {
  ref: string;
  a2aUrl: string;
  ready: boolean;
}

export interface LocalPlatform {
  urls: Record<string, string>;
  apiUrl: string;
  agents: LocalAgent[];
  /** True when the sample agent answers from the mock LLM (no provider key set). */
  usesMockLlm: boolean;
  /** One line that invokes the first agent with curl. */
  example?: string;
  /** Resolves when a component exits on its own (with its name and code). */
  exited: Promise<{ component: string; code: number | null }>;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new Error(`exited with code ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready after ${timeoutMs} ms (${url})`);
}

interface AgentsResponse {
  data: { agent: { metadata: { namespace: string; name: string } }; deploymentReady: boolean }[];
}

/**
 * The agents the API lists, waiting (up to the deadline) until each of `awaited` (the sample's)
 * is listed and its process ready; other agents (the user's, which may never run) are listed as
 * they are.
 */
async function readyAgents(
  apiUrl: string,
  awaited: readonly string[],
  timeoutMs: number,
): Promise<LocalAgent[]> {
  const deadline = Date.now() + timeoutMs;
  let agents: LocalAgent[] = [];
  for (;;) {
    try {
      const res = await fetch(`${apiUrl}/api/agents`, { signal: AbortSignal.timeout(2_000) });
      const body = (await res.json()) as AgentsResponse;
      agents = body.data.map(({ agent, deploymentReady }) => {
        const ref = `${agent.metadata.namespace}/${agent.metadata.name}`;
        return { ref, a2aUrl: `${apiUrl}/api/a2a/${ref}/`, ready: deploymentReady };
      });
      const ready = new Set(agents.filter((a) => a.ready).map((a) => a.ref));
      if (agents.length > 0 && awaited.every((ref) => ready.has(ref))) return agents;
    } catch {
      // the API is starting
    }
    if (Date.now() > deadline) return agents;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Brings up the platform on one machine as child processes: the controller in local mode on the
 * sample manifests of deploy/local (agents and MCP servers become processes), the mock LLM when
 * no provider key is set, and the gateway multiplexing the sample tool servers. Waits until each
 * is ready and stops them all together.
 */
export async function startLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  const dataDir = resolve(options.dataDir);
  const repoRoot = resolve(options.appsDir, '..');
  const env = options.env ?? process.env;
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  await mkdir(dataDir, { recursive: true });

  const children: { component: string; child: ChildProcess; exit: Promise<number | null> }[] = [];
  let reportExit: (e: { component: string; code: number | null }) => void = () => undefined;
  const exited = new Promise<{ component: string; code: number | null }>((r) => (reportExit = r));
  const start = (
    component: string,
    args: string[],
    childEnv: Record<string, string | undefined>,
  ): ChildProcess => {
    const child = spawn(options.nodePath, args, {
      stdio: ['ignore', options.childOutput ?? 'inherit', options.childOutput ?? 'inherit'],
      env: childEnv,
    });
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    void exit.then((code) => reportExit({ component, code }));
    children.push({ component, child, exit });
    return child;
  };
  const stop = async (): Promise<void> => {
    for (const { child, exit } of [...children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    }
  };

  try {
    // The model: a real provider when its key is set, else the test kit's mock LLM.
    const apiKey = env['OPENAI_API_KEY'];
    const usesMockLlm = !apiKey;
    let openaiBaseUrl = env['OPENAI_BASE_URL'] ?? 'https://api.openai.com/v1';
    if (usesMockLlm) {
      if (options.mockLlmBaseUrl) {
        openaiBaseUrl = options.mockLlmBaseUrl;
      } else {
        const script = join(dataDir, 'mock-llm.json');
        await copyFile(join(repoRoot, 'deploy', 'local', 'mock-llm.json'), script);
        const port = await findFreePort('127.0.0.1');
        const llm = start(
          'mock-llm',
          [
            join(repoRoot, 'libs', 'testing', 'bin', 'mock-llm.js'),
            '--script',
            script,
            '--port',
            String(port),
          ],
          { ...env },
        );
        await waitReady(`http://127.0.0.1:${port}/health`, llm, timeoutMs).catch((err: unknown) => {
          throw new Error(`the mock LLM did not start: ${(err as Error).message}`, { cause: err });
        });
        openaiBaseUrl = `http://127.0.0.1:${port}/v1`;
      }
    }

    // The controller, in local mode on the manifests folder: the filled-in samples (rewritten
    // each run, under sample/) and whatever the user or the API put there (kept).
    const manifests = join(dataDir, 'manifests');
    const samples = await writeSampleManifests(join(repoRoot, 'deploy', 'local'), manifests, {
      node: options.nodePath,
      serverEverything: packageBin('@modelcontextprotocol/server-everything'),
      openaiBaseUrl,
      openaiApiKey: apiKey ?? 'mock',
      model: usesMockLlm ? 'mock-model' : (env['OPENAI_MODEL'] ?? 'gpt-4o-mini'),
    });
    const apiUrl = `http://127.0.0.1:${options.apiPort}`;
    const controller = start(
      'controller',
      [
        join(options.appsDir, 'controller', 'dist', 'main.js'),
        '--local',
        manifests,
        '--data-dir',
        join(dataDir, 'controller'),
        '--api-port',
        String(options.apiPort),
        '--metrics-port',
        '0',
      ],
      { ...env, LOG_LEVEL: env['LOG_LEVEL'] ?? 'warn' },
    );
    await waitReady(`${apiUrl}/health`, controller, timeoutMs).catch((err: unknown) => {
      throw new Error(`the controller did not start: ${(err as Error).message}`, { cause: err });
    });

    // The gateway, multiplexing the sample tool servers on one MCP endpoint.
    const configPath = join(dataDir, 'gateway.yaml');
    await writeFile(
      configPath,
      localGatewayConfig({ mcpPort: options.mcpPort, servers: sampleToolServers(options.nodePath, dataDir) }),
    );
    const gateway = start(
      'gateway',
      [join(options.appsDir, 'gateway', 'dist', 'main.js'), '-f', configPath],
      {
        ...env,
        READINESS_ADDR: `127.0.0.1:${options.readinessPort}`,
        LISTEN_HOST: '127.0.0.1',
      },
    );
    await waitReady(`http://127.0.0.1:${options.readinessPort}/healthz/ready`, gateway, timeoutMs).catch(
      (err: unknown) => {
        throw new Error(`the gateway did not start: ${(err as Error).message}`, { cause: err });
      },
    );

    const sampleAgents = await agentRefs(manifests, samples);
    const agents = await readyAgents(apiUrl, sampleAgents, timeoutMs);
    options.logger.debug({ manifests, agents }, 'local platform ready');
    const first = agents.find((a) => a.ref === sampleAgents[0]) ?? agents[0];
    return {
      urls: {
        'API (kagent routes, A2A proxy, /mcp)': apiUrl,
        'MCP (gateway, multiplexing the sample tool servers)': `http://127.0.0.1:${options.mcpPort}/mcp`,
        [`Manifests (watched, kept; ${SAMPLE_FOLDER}/ is rewritten each run)`]: manifests,
      },
      apiUrl,
      agents,
      usesMockLlm,
      ...(first ? { example: curlExample(first.a2aUrl, 'Please echo hello') } : {}),
      exited,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
