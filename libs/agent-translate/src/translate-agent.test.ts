import { describe, expect, it } from 'vitest';
import { CONFIG_HASH_ANNOTATION } from './manifest.js';
import { createObjectResolver } from './reference-resolver.js';
import { translateAgent, type TranslateAgentResult } from './translate-agent.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const secret = (name: string, data: Record<string, string>, namespace = 'team') => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});
const modelConfig = {
  apiVersion: 'kagent.dev/v1alpha2',
  kind: 'ModelConfig',
  metadata: { name: 'model', namespace: 'team' },
  spec: { provider: 'OpenAI', model: 'gpt-4o', apiKeySecret: 'openai', apiKeySecretKey: 'key' },
};
const agentWith = (declarative: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'kagent.dev/v1alpha2',
  kind: 'Agent',
  metadata: { name: 'helper', namespace: 'team' },
  spec: {
    type: 'Declarative',
    declarative: { systemMessage: 'Be useful.', modelConfig: 'model', ...declarative },
    ...extra,
  },
});
const otherAgent = (namespace: string, allowedNamespaces?: unknown) => ({
  apiVersion: 'kagent.dev/v1alpha2',
  kind: 'Agent',
  metadata: { name: 'expert', namespace },
  spec: {
    description: 'knows things',
    declarative: { systemMessage: 'x', modelConfig: 'model' },
    ...(allowedNamespaces ? { allowedNamespaces } : {}),
  },
});

function run(agent: unknown, objects: unknown[]): TranslateAgentResult {
  return translateAgent({
    agent,
    resolve: createObjectResolver(objects),
    options: { runtimeImage: 'example/runtime:1' },
  });
}

function failure(result: TranslateAgentResult): { reason: string; field: string; message: string } {
  if (result.ok) throw new Error('expected a failure');
  return result;
}

function hashOf(result: TranslateAgentResult): string {
  if (!result.ok) throw new Error(result.message);
  const dep = result.outputs.manifest.find((o) => o.kind === 'Deployment');
  if (dep?.kind !== 'Deployment') throw new Error('no Deployment');
  return dep.spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION] ?? '';
}

const base = [modelConfig, secret('openai', { key: 'sk-1', other: 'x' })];

describe('translateAgent failures name the field', () => {
  it('a missing ModelConfig', () => {
    const f = failure(run(agentWith({ modelConfig: 'nope' }), base));
    expect(f.reason).toBe('ModelConfigNotFound');
    expect(f.field).toBe('spec.declarative.modelConfig');
    expect(f.message).toContain('ModelConfig team/nope not found');
  });

  it('a missing key in the API key Secret, without leaking values', () => {
    const f = failure(run(agentWith({}), [modelConfig, secret('openai', { wrong: 'sk-secret-value' })]));
    expect(f.reason).toBe('SecretKeyNotFound');
    expect(f.message).toMatch(
      /^spec\.declarative\.modelConfig: .*spec\.apiKeySecretKey: Secret team\/openai has no key "key"/,
    );
    expect(f.message).not.toContain('sk-secret-value');
  });

  it('a tool agent in a namespace that does not allow this one', () => {
    const agent = agentWith({ tools: [{ type: 'Agent', agent: { name: 'expert', namespace: 'other' } }] });
    const f = failure(run(agent, [...base, otherAgent('other')]));
    expect(f.reason).toBe('NamespaceNotAllowed');
    expect(f.field).toBe('spec.declarative.tools[0].agent.namespace');
    expect(f.message).toContain('Agent other/expert cannot be used from namespace team');

    const selector = { from: 'Selector', selector: { matchLabels: { shared: 'yes' } } };
    const ns = (labels: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team', labels },
    });
    expect(run(agent, [...base, otherAgent('other', selector), ns({ shared: 'yes' })]).ok).toBe(true);
    expect(failure(run(agent, [...base, otherAgent('other', selector), ns({})])).reason).toBe(
      'NamespaceNotAllowed',
    );
    const ok = run(agent, [...base, otherAgent('other', { from: 'All' })]);
    expect(ok.ok && ok.outputs.config?.['remote_agents']).toEqual([
      { name: 'other__NS__expert', url: 'http://expert.other:8080', description: 'knows things' },
    ]);
  });

  it('requireApproval naming a tool that is not in toolNames', () => {
    const agent = agentWith({
      tools: [
        {
          type: 'McpServer',
          mcpServer: {
            kind: 'RemoteMCPServer',
            name: 'fs',
            toolNames: ['read'],
            requireApproval: ['delete'],
          },
        },
      ],
    });
    const f = failure(run(agent, base));
    expect(f.reason).toBe('InvalidAgent');
    expect(f.field).toBe('spec.declarative.tools[0].mcpServer.requireApproval[0]');
    expect(f.message).toBe(
      'spec.declarative.tools[0].mcpServer.requireApproval[0]: "delete" needs approval but is not in spec.declarative.tools[0].mcpServer.toolNames; every requireApproval entry must also be listed in toolNames',
    );
  });

  it('a systemMessageFrom key that is missing', () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'prompts', namespace: 'team' },
      data: { a: 'b' },
    };
    const agent = agentWith({
      systemMessage: undefined,
      systemMessageFrom: { type: 'ConfigMap', name: 'prompts', key: 'system' },
    });
    const f = failure(run(agent, [...base, cm]));
    expect(f.reason).toBe('ConfigMapKeyNotFound');
    expect(f.field).toBe('spec.declarative.systemMessageFrom');
    expect(f.message).toContain('ConfigMap team/prompts has no key "system"');
  });

  it('a missing tool server, a self reference and a cycle of agents', () => {
    const missing = agentWith({
      tools: [{ type: 'McpServer', mcpServer: { kind: 'RemoteMCPServer', name: 'gone' } }],
    });
    expect(failure(run(missing, base))).toMatchObject({
      reason: 'ToolServerNotFound',
      field: 'spec.declarative.tools[0].mcpServer.name',
    });
    const self = agentWith({ tools: [{ type: 'Agent', agent: { name: 'helper' } }] });
    expect(failure(run(self, base)).reason).toBe('AgentToolCycle');
    const back = {
      ...otherAgent('team'),
      spec: {
        declarative: {
          systemMessage: 'x',
          modelConfig: 'model',
          tools: [{ type: 'Agent', agent: { name: 'helper' } }],
        },
      },
    };
    const loop = agentWith({ tools: [{ type: 'Agent', agent: { name: 'expert' } }] });
    expect(failure(run(loop, [...base, back]))).toMatchObject({
      reason: 'AgentToolCycle',
      field: 'spec.declarative.tools[0].agent',
    });
  });

  it('an unsupported template action', () => {
    const agent = agentWith({
      systemMessage: 'Hi {{.AgentName | upper}}',
      promptTemplate: { dataSources: [] },
    });
    const f = failure(run(agent, base));
    expect(f.reason).toBe('InvalidPromptTemplate');
    expect(f.message).toMatch(/^spec\.declarative\.systemMessage: unsupported template syntax/);
  });
});

describe('config hash', () => {
  it('changes when a referenced Secret value changes, and only then', () => {
    const agent = agentWith({});
    const first = hashOf(run(agent, base));
    expect(hashOf(run(agent, base))).toBe(first);
    expect(hashOf(run(agent, [modelConfig, secret('openai', { key: 'sk-1', other: 'changed' })]))).toBe(
      first,
    );
    expect(hashOf(run(agent, [modelConfig, secret('openai', { key: 'sk-2', other: 'x' })]))).not.toBe(first);
    expect(hashOf(run(agentWith({ systemMessage: 'Be brief.' }), base))).not.toBe(first);
  });
});

describe('other translations', () => {
  it('BYO agents run their own image and command', () => {
    const agent = {
      apiVersion: 'kagent.dev/v1alpha2',
      kind: 'Agent',
      metadata: { name: 'byo', namespace: 'team', uid: 'u-1' },
      spec: {
        type: 'BYO',
        byo: { deployment: { image: 'me/agent:1', cmd: 'python', args: ['app.py'], replicas: 2 } },
      },
    };
    const result = run(agent, []);
    if (!result.ok) throw new Error(result.message);
    expect(result.outputs.config).toBeNull();
    const dep = result.outputs.manifest.find((o) => o.kind === 'Deployment');
    if (dep?.kind !== 'Deployment') throw new Error('no Deployment');
    expect(dep.spec.replicas).toBe(2);
    expect(dep.metadata.ownerReferences[0]?.uid).toBe('u-1');
    expect(dep.spec.template.spec.containers[0]).toMatchObject({
      image: 'me/agent:1',
      command: ['python'],
      args: ['app.py'],
    });
  });

  it('records every reference it looked up, found or not', () => {
    const result = run(agentWith({ modelConfig: 'nope' }), base);
    expect(result.references).toContainEqual({ kind: 'ModelConfig', namespace: 'team', name: 'nope' });
  });

  it('translates Anthropic, Azure, Gemini Vertex and Bedrock model blocks with their env', () => {
    const mc = (spec: Record<string, unknown>) => ({ ...modelConfig, spec: { model: 'm', ...spec } });
    const model = (spec: Record<string, unknown>) => {
      const r = run(agentWith({}), [mc(spec), secret('openai', { key: 'k' })]);
      if (!r.ok) throw new Error(r.message);
      const dep = r.outputs.manifest.find((o) => o.kind === 'Deployment');
      const env = dep?.kind === 'Deployment' ? dep.spec.template.spec.containers[0]?.env : [];
      return { model: r.outputs.config?.['model'], env: (env ?? []).map((e) => e.name) };
    };
    expect(
      model({
        provider: 'AzureOpenAI',
        apiKeySecret: 'openai',
        apiKeySecretKey: 'key',
        azureOpenAI: { azureEndpoint: 'https://x', apiVersion: '2024-10-21' },
      }),
    ).toMatchObject({
      model: { type: 'azure_openai', azure_endpoint: 'https://x', api_version: '2024-10-21' },
      env: expect.arrayContaining([
        'AZURE_OPENAI_API_KEY',
        'AZURE_OPENAI_ENDPOINT',
        'OPENAI_API_VERSION',
      ]) as unknown,
    });
    expect(
      model({ provider: 'GeminiVertexAI', geminiVertexAI: { projectID: 'p', location: 'l' } }),
    ).toMatchObject({
      model: { type: 'gemini_vertex_ai', project: 'p', location: 'l' },
      env: expect.arrayContaining(['GOOGLE_CLOUD_PROJECT', 'GOOGLE_GENAI_USE_VERTEXAI']) as unknown,
    });
    expect(model({ provider: 'Bedrock', bedrock: { region: 'eu-west-1' } })).toMatchObject({
      model: { type: 'bedrock', region: 'eu-west-1' },
      env: expect.arrayContaining(['AWS_REGION']) as unknown,
    });
    expect(model({ provider: 'Gemini', apiKeySecret: 'openai', apiKeySecretKey: 'key' })).toMatchObject({
      model: { type: 'gemini' },
      env: expect.arrayContaining(['GOOGLE_API_KEY']) as unknown,
    });
  });

  it('translates MCPServer and SSE RemoteMCPServer tools, proxying in-cluster URLs only', () => {
    const mcpServer = {
      apiVersion: 'kagent.dev/v1alpha1',
      kind: 'MCPServer',
      metadata: { name: 'everything', namespace: 'team' },
      spec: { deployment: { image: 'node:22', cmd: 'npx', port: 3001 }, transportType: 'stdio' },
    };
    const remote = (name: string, url: string) => ({
      apiVersion: 'kagent.dev/v1alpha2',
      kind: 'RemoteMCPServer',
      metadata: { name, namespace: 'team' },
      spec: { description: 'd', url, protocol: 'SSE', sseReadTimeout: '1m30s' },
    });
    const agent = agentWith({
      tools: [
        { type: 'McpServer', mcpServer: { name: 'everything', toolNames: ['echo'] } },
        { type: 'McpServer', mcpServer: { kind: 'RemoteMCPServer', name: 'ext' } },
        { type: 'McpServer', mcpServer: { kind: 'RemoteMCPServer', name: 'int' } },
      ],
    });
    const objects = [
      ...base,
      mcpServer,
      remote('ext', 'https://mcp.example.com/sse'),
      remote('int', 'http://tools.team.svc:80/sse'),
    ];
    const result = translateAgent({
      agent,
      resolve: createObjectResolver(objects),
      options: { runtimeImage: 'r', proxyUrl: 'http://proxy.kagent:8080/' },
    });
    if (!result.ok) throw new Error(result.message);
    expect(result.outputs.config?.['http_tools']).toEqual([
      {
        params: { url: 'http://proxy.kagent:8080/mcp', headers: { 'x-kagent-host': 'everything.team' } },
        tools: ['echo'],
      },
    ]);
    expect(result.outputs.config?.['sse_tools']).toEqual([
      { params: { url: 'https://mcp.example.com/sse', headers: {}, sse_read_timeout: 90 } },
      {
        params: {
          url: 'http://proxy.kagent:8080/sse',
          headers: { 'x-kagent-host': 'tools.team.svc' },
          sse_read_timeout: 90,
        },
      },
    ]);
  });
});
