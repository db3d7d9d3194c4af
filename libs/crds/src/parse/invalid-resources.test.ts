import { describe, expect, it } from 'vitest';
import {
  parseAgent,
  parseAgentgatewayBackend,
  parseAgentgatewayPolicy,
  parseMCPServer,
  parseModelConfig,
  parseRemoteMCPServer,
  parseResource,
} from './parse-resource.js';
import type { ResourceIssue } from './resource-issue.js';

const meta = { name: 'a', namespace: 'ns' };

function issuesOf(
  result: { ok: true } | { ok: false; error: { issues: readonly ResourceIssue[] } },
): ResourceIssue[] {
  if (result.ok) throw new Error('expected the resource to be rejected');
  return [...result.error.issues];
}

const agent = (declarative: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'kagent.dev/v1alpha2',
  kind: 'Agent',
  metadata: meta,
  spec: { type: 'Declarative', declarative: { systemMessage: 'hi', ...declarative }, ...extra },
});

describe('invalid resources', () => {
  it('wrong enum value names the field and the allowed values', () => {
    const issues = issuesOf(parseAgent({ ...agent({}), spec: { type: 'Remote', declarative: {} } }));
    expect(issues).toEqual([
      { path: 'spec.type', message: 'must be one of "Declarative", "BYO" (got "Remote")' },
    ]);
  });

  it('missing required field', () => {
    const issues = issuesOf(parseModelConfig({ metadata: meta, spec: { provider: 'OpenAI' } }));
    expect(issues).toEqual([{ path: 'spec.model', message: 'required field is missing' }]);
  });

  it('type Declarative needs the declarative block', () => {
    const issues = issuesOf(parseAgent({ metadata: meta, spec: { description: 'x' } }));
    expect(issues).toEqual([
      { path: 'spec.declarative', message: 'spec.declarative is required when spec.type is Declarative' },
    ]);
  });

  it('systemMessage xor systemMessageFrom', () => {
    const issues = issuesOf(
      parseAgent(agent({ systemMessageFrom: { type: 'ConfigMap', name: 'prompts', key: 'system' } })),
    );
    expect(issues).toEqual([
      {
        path: 'spec.declarative',
        message:
          'spec.declarative.systemMessage and spec.declarative.systemMessageFrom are mutually exclusive; set one',
      },
    ]);
  });

  it('requireApproval must be a subset of toolNames', () => {
    const issues = issuesOf(
      parseAgent(
        agent({
          tools: [
            { type: 'Agent', agent: { name: 'b' } },
            { type: 'Agent', agent: { name: 'c' } },
            {
              type: 'McpServer',
              mcpServer: {
                name: 'srv',
                kind: 'RemoteMCPServer',
                toolNames: ['read'],
                requireApproval: ['read', 'write'],
              },
            },
          ],
        }),
      ),
    );
    expect(issues).toEqual([
      {
        path: 'spec.declarative.tools[2].mcpServer.requireApproval[1]',
        message:
          '"write" needs approval but is not in spec.declarative.tools[2].mcpServer.toolNames; every requireApproval entry must also be listed in toolNames',
      },
    ]);
  });

  it('at most 20 tools', () => {
    const tools = Array.from({ length: 21 }, (_, i) => ({ type: 'Agent', agent: { name: `a${i}` } }));
    expect(issuesOf(parseAgent(agent({ tools })))).toEqual([
      { path: 'spec.declarative.tools', message: 'has too many items: at most 20 allowed' },
    ]);
  });

  it('tool type must match its block', () => {
    const issues = issuesOf(parseAgent(agent({ tools: [{ type: 'Agent', mcpServer: { name: 'srv' } }] })));
    expect(issues).toEqual([
      {
        path: 'spec.declarative.tools[0].agent',
        message: 'spec.declarative.tools[0].agent is required when spec.declarative.tools[0].type is Agent',
      },
      {
        path: 'spec.declarative.tools[0].mcpServer',
        message:
          'spec.declarative.tools[0].mcpServer must not be set when spec.declarative.tools[0].type is Agent',
      },
    ]);
  });

  it('ModelConfig provider block must match provider', () => {
    const issues = issuesOf(
      parseModelConfig({
        metadata: meta,
        spec: { model: 'm', provider: 'Anthropic', openAI: { maxTokens: 10 } },
      }),
    );
    expect(issues).toEqual([
      {
        path: 'spec.openAI',
        message:
          'spec.openAI is only allowed when spec.provider is OpenAI (provider is Anthropic); use the anthropic block or change the provider',
      },
    ]);
  });

  it('bad resource quantity in a core type', () => {
    const issues = issuesOf(
      parseAgent(agent({ deployment: { resources: { limits: { cpu: {} }, requests: { memory: 'lots' } } } })),
    );
    expect(issues).toEqual([
      {
        path: 'spec.declarative.deployment.resources.limits.cpu',
        message: 'must be a quantity: a string such as "500m" or "2Gi", or a number',
      },
      {
        path: 'spec.declarative.deployment.resources.requests.memory',
        message: 'must be a quantity: a string such as "500m" or "2Gi", or a number',
      },
    ]);
  });

  it('malformed env valueFrom in a core type', () => {
    const issues = issuesOf(
      parseAgent(
        agent({
          deployment: { env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's' } } }, { value: 'x' }] },
        }),
      ),
    );
    expect(issues).toEqual([
      {
        path: 'spec.declarative.deployment.env[0].valueFrom.secretKeyRef.key',
        message: 'required field is missing',
      },
      { path: 'spec.declarative.deployment.env[1].name', message: 'required field is missing' },
    ]);
  });

  it('wrong type inside a sidecar container', () => {
    const issues = issuesOf(
      parseMCPServer({
        metadata: meta,
        spec: { deployment: { sidecars: [{ name: 'proxy', ports: [{ containerPort: 'http' }] }] } },
      }),
    );
    expect(issues).toEqual([
      { path: 'spec.deployment.sidecars[0].ports[0].containerPort', message: 'must be an integer' },
    ]);
  });

  it('headersFrom needs exactly one of value and valueFrom', () => {
    const issues = issuesOf(
      parseRemoteMCPServer({
        metadata: meta,
        spec: { description: 'd', url: 'https://x', headersFrom: [{ name: 'h' }] },
      }),
    );
    expect(issues).toEqual([
      {
        path: 'spec.headersFrom[0]',
        message:
          'exactly one of spec.headersFrom[0].value, spec.headersFrom[0].valueFrom must be set; none is',
      },
    ]);
  });

  it('RemoteMCPServer tls with a plain http URL', () => {
    const issues = issuesOf(
      parseRemoteMCPServer({
        metadata: meta,
        spec: { description: 'd', url: 'http://x', tls: { disableVerify: true } },
      }),
    );
    expect(issues[0]?.path).toBe('spec.tls');
  });

  it('AgentgatewayBackend needs exactly one backend kind', () => {
    const issues = issuesOf(
      parseAgentgatewayBackend({
        metadata: meta,
        spec: { static: { host: 'a', port: 80 }, a2a: { host: 'b', port: 8080 } },
      }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('spec');
    expect(issues[0]?.message).toMatch(
      /^exactly one of spec\.ai, spec\.static, .* must be set; found spec\.a2a, spec\.static$|found/,
    );
  });

  it('AgentgatewayPolicy needs at least one section, and a valid target', () => {
    const issues = issuesOf(
      parseAgentgatewayPolicy({
        metadata: meta,
        spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'r' }] },
      }),
    );
    expect(issues).toEqual([
      { path: 'spec', message: 'at least one of spec.traffic, spec.frontend, spec.backend must be set' },
    ]);
  });

  it('reports a non-object and an unknown kind', () => {
    const notObject = parseResource('nope');
    expect(notObject.ok).toBe(false);
    if (!notObject.ok) expect(notObject.error.code).toBe('NOT_AN_OBJECT');
    const agentError = parseAgent({ metadata: meta, spec: { type: 'BYO' } });
    if (agentError.ok) throw new Error('expected failure');
    expect(agentError.error.code).toBe('INVALID_RESOURCE');
    expect(agentError.error.message).toBe(
      'Agent ns/a is invalid:\nspec.byo: spec.byo is required when spec.type is BYO',
    );
  });
});

describe('valid resources', () => {
  it('applies defaults', () => {
    const result = parseAgent({ metadata: meta, spec: { declarative: { systemMessage: 'hi' } } });
    if (!result.ok) throw result.error;
    expect(result.value.spec.type).toBe('Declarative');
    expect(result.value.spec.declarative?.modelConfig).toBe('default-model-config');
    expect(result.value.spec.declarative?.runtime).toBe('python');

    const server = parseMCPServer({
      metadata: meta,
      spec: { deployment: { image: 'x' }, transportType: 'stdio' },
    });
    if (!server.ok) throw server.error;
    expect(server.value.spec.deployment).toMatchObject({ port: 3000, replicas: 1 });
    expect(server.value.spec.timeout).toBe('30s');
  });

  it('keeps unknown metadata fields and strips unknown spec fields with a warning', () => {
    const result = parseModelConfig({
      metadata: { ...meta, managedFields: [{ manager: 'kubectl' }] },
      spec: { model: 'gpt-4o', provider: 'OpenAI', openAI: { baseURL: 'https://x' } },
    });
    if (!result.ok) throw result.error;
    expect(result.value.metadata['managedFields']).toEqual([{ manager: 'kubectl' }]);
    expect(result.value.spec.openAI).toEqual({});
    expect(result.warnings).toEqual([{ path: 'spec.openAI.baseURL', message: 'unknown field, ignored' }]);
  });

  it('parses an agentgateway MCP backend', () => {
    const result = parseAgentgatewayBackend({
      metadata: meta,
      spec: {
        mcp: {
          targets: [
            {
              name: 'everything',
              static: { host: 'mcp.default.svc', port: 3000, path: '/mcp', protocol: 'StreamableHTTP' },
            },
          ],
        },
      },
    });
    if (!result.ok) throw result.error;
    expect(result.value.spec.mcp?.targets[0]?.name).toBe('everything');
  });
});
