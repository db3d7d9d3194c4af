import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { agentRefs, writeSampleManifests, type SampleValues } from './sample-agents.js';

const sampleDir = join(import.meta.dirname, '..', '..', '..', '..', 'deploy', 'local');
const values = (port: number): SampleValues => ({
  node: '/usr/bin/node',
  serverEverything: '/opt/server-everything/index.js',
  openaiBaseUrl: `http://127.0.0.1:${port}/v1`,
  openaiApiKey: 'mock',
  model: 'mock-model',
});

describe('sample manifests', () => {
  let manifests: string;
  beforeEach(() => {
    manifests = mkdtempSync(join(tmpdir(), 'cli-samples-'));
  });
  afterEach(() => rmSync(manifests, { recursive: true, force: true }));

  it('fills the samples into sample/ on every run and keeps everything else in the folder', async () => {
    // What the controller's API wrote, and a file of the user's own.
    writeFileSync(join(manifests, 'agent-default-mine.yaml'), 'kind: Agent\n');
    mkdirSync(join(manifests, 'team'));
    writeFileSync(join(manifests, 'team', 'tools.yaml'), 'kind: RemoteMCPServer\n');

    const written = await writeSampleManifests(sampleDir, manifests, values(1111));
    expect(written).toContain(join('sample', 'model-config.yaml'));
    await writeSampleManifests(sampleDir, manifests, values(2222));

    const model = readFileSync(join(manifests, 'sample', 'model-config.yaml'), 'utf8');
    expect(model).toContain('http://127.0.0.1:2222/v1');
    expect(model).not.toContain('1111');
    // The filled-in templates are valid YAML.
    for (const file of written) {
      const docs = parseAllDocuments(readFileSync(join(manifests, file), 'utf8'));
      expect(docs.flatMap((d) => d.errors)).toEqual([]);
    }
    expect(await agentRefs(manifests, written)).toEqual(['default/demo']);
    expect(existsSync(join(manifests, 'agent-default-mine.yaml'))).toBe(true);
    expect(existsSync(join(manifests, 'team', 'tools.yaml'))).toBe(true);
  });
});
