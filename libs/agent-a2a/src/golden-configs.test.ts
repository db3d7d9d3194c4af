import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { rootCertificates } from 'node:tls';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAgentCard, parseAgentConfig, parseJsonText } from '@agentplane/agent-config';
import { InMemorySessionStore, silentLogger } from '@agentplane/agent-core';
import { describe, expect, it } from 'vitest';
import { startA2aServer } from './a2a-server.js';
import { createAgentRuntime } from './create-agent-runtime.js';

const goldenDir = fileURLToPath(
  new URL('../../../../shared/reference/kagent-golden/outputs/', import.meta.url),
);
const files = readdirSync(goldenDir).filter((f) => f.endsWith('.json'));

interface Golden {
  manifest: { kind: string; stringData?: Record<string, string> }[];
}

describe('every kagent golden Secret runs as is', () => {
  it.each(files)('%s builds a runtime and serves its card', async (file) => {
    const golden = JSON.parse(readFileSync(join(goldenDir, file), 'utf8')) as Golden;
    const data = golden.manifest.find((m) => m.kind === 'Secret')?.stringData ?? {};
    const config = parseAgentConfig(parseJsonText(data['config.json'] ?? '', 'config.json'));
    if (config.model.tls_ca_cert_path) {
      // The Secret the controller mounts there, stood in for by a real CA certificate.
      const caFile = join(mkdtempSync(join(tmpdir(), 'ca-')), 'ca.crt');
      writeFileSync(caFile, rootCertificates[0] ?? '');
      config.model.tls_ca_cert_path = caFile;
    }
    const card = parseAgentCard(parseJsonText(data['agent-card.json'] ?? '', 'agent-card.json'));
    const runtime = await createAgentRuntime({
      config,
      card,
      sessions: new InMemorySessionStore(),
      logger: silentLogger,
    });
    const server = await startA2aServer({ app: runtime.app, host: '127.0.0.1', port: 0 });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/.well-known/agent-card.json`);
      expect(res.status).toBe(200);
      const served = (await res.json()) as { name: string; url: string };
      expect(served.name).toBe(card.name);
      expect(served.url).toBe(card.url);
    } finally {
      await server.close();
      await runtime.close();
    }
  });
});
