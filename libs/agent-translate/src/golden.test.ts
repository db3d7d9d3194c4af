import { parseAgentCard, parseAgentConfig } from '@agentplane/agent-config';
import { describe, expect, it } from 'vitest';
import { CONFIG_HASH_ANNOTATION } from './manifest.js';
import { goldenCases } from './testdata/golden.js';
import { parseTranslateRequest, runTranslateRequest } from './translate-request.js';

interface Obj {
  kind?: string;
  spec?: {
    template?: {
      metadata?: { annotations?: Record<string, string> };
      spec?: { containers?: Record<string, unknown>[] };
    };
  };
}

/**
 * The only differences allowed between kagent's output and ours: the agent container's image,
 * its command and args (our runtime's command line), and the config hash value.
 */
function normalize(output: { manifest: unknown[] }): unknown {
  const copy = structuredClone(output) as { manifest: Obj[] };
  for (const obj of copy.manifest) {
    if (obj.kind !== 'Deployment') continue;
    const annotations = obj.spec?.template?.metadata?.annotations;
    if (annotations?.[CONFIG_HASH_ANNOTATION] !== undefined) annotations[CONFIG_HASH_ANNOTATION] = '<hash>';
    for (const container of obj.spec?.template?.spec?.containers ?? []) {
      if (container['name'] !== 'kagent') continue;
      container['image'] = '<image>';
      delete container['command'];
      delete container['args'];
    }
  }
  return copy;
}

const options = { runtimeImage: 'ghcr.io/agentplane/agent-runtime:test' };

describe('kagent golden translations', () => {
  const cases = goldenCases();

  it('finds the golden data', () => {
    expect(cases.length).toBeGreaterThanOrEqual(18);
  });

  for (const c of cases) {
    it(c.name, () => {
      const result = runTranslateRequest(parseTranslateRequest(c.input), options);
      if (!result.ok) throw new Error(result.message);
      const actual = {
        agentCard: result.outputs.agentCard,
        config: result.outputs.config,
        manifest: result.outputs.manifest,
      };
      expect(actual.config).toEqual(c.expected.config);
      expect(actual.agentCard).toEqual(c.expected.agentCard);
      expect(normalize(actual)).toEqual(normalize(c.expected));

      // What we mount is what the runtime reads.
      const secret = result.outputs.manifest[0];
      if (secret?.kind !== 'Secret') throw new Error('expected the Secret first');
      const files = secret.stringData;
      expect(parseAgentConfig(JSON.parse(files['config.json'] ?? ''))).toBeDefined();
      expect(parseAgentCard(JSON.parse(files['agent-card.json'] ?? '')).name).toBe(
        c.expected.agentCard && (c.expected.agentCard as { name: string }).name,
      );
      const deployment = result.outputs.manifest.find((o) => o.kind === 'Deployment');
      const container =
        deployment?.kind === 'Deployment' ? deployment.spec.template.spec.containers[0] : undefined;
      expect(container?.image).toBe(options.runtimeImage);
      expect(container?.command).toEqual(['node', '/app/apps/agent-runtime/dist/main.js']);
      expect(container?.args).toEqual(['--host', '0.0.0.0', '--port', '8080', '--filepath', '/config']);
      expect(
        deployment?.kind === 'Deployment' &&
          deployment.spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION],
      ).toMatch(/^\d+$/);
    });
  }
});
