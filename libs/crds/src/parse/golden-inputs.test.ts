import { describe, expect, it } from 'vitest';
import { goldenInputs } from '../testdata/reference.js';
import { isKnownResource, parseResource } from './parse-resource.js';

describe('kagent golden inputs', () => {
  const inputs = goldenInputs();

  it('finds the golden inputs', () => {
    expect(inputs.length).toBeGreaterThan(10);
  });

  for (const { file, objects } of inputs) {
    it(`parses every resource of ours in ${file}`, () => {
      const ours = objects.filter(isKnownResource);
      expect(ours.length).toBeGreaterThan(0);
      for (const obj of ours) {
        const result = parseResource(obj);
        if (!result.ok) throw new Error(`${file}: ${result.error.message}`);
        expect(result.value.kind).toBe(obj['kind']);
      }
    });
  }

  it('applies defaults and reports what it dropped or normalized', () => {
    const objects = inputs.find((i) => i.file === 'agent_with_proxy.yaml')?.objects ?? [];
    const agent = objects.find(
      (o) => o['kind'] === 'Agent' && (o['metadata'] as { name: string }).name === 'agent-with-proxy',
    );
    const result = parseResource(agent);
    if (!result.ok || result.value.kind !== 'Agent') throw new Error('expected an Agent');
    const tools = result.value.spec.declarative?.tools ?? [];
    expect(tools.map((t) => t.type)).toEqual(['Agent', 'McpServer']);
    expect(result.value.spec.declarative?.runtime).toBe('python');
    expect(result.warnings).toContainEqual({
      path: 'spec.declarative.tools[1].type',
      message: '"MCPServer" read as "McpServer"',
    });
    expect(result.warnings).toContainEqual({
      path: 'spec.declarative.description',
      message: 'unknown field, ignored',
    });

    const server = objects.find((o) => o['kind'] === 'RemoteMCPServer');
    const parsed = parseResource(server);
    if (!parsed.ok || parsed.value.kind !== 'RemoteMCPServer') throw new Error('expected a RemoteMCPServer');
    expect(parsed.value.spec).toMatchObject({
      protocol: 'STREAMABLE_HTTP',
      timeout: '30s',
      terminateOnClose: true,
    });
  });

  it('skips kinds that are not ours', () => {
    const result = parseResource({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('UNSUPPORTED_KIND');
  });
});
