import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

describe('controller run', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'controller-run-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 1 naming the file and field of a kubeconfig it cannot use', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, 'current-context: prod\ncontexts: []\n');
    const err: string[] = [];
    const status = await runCli(
      [
        'run',
        '--data-dir',
        join(dir, 'data'),
        '--metrics-port',
        '0',
        '--api-port',
        '0',
        '--log-level',
        'silent',
      ],
      {
        stdout: () => undefined,
        stderr: (t) => err.push(t),
        readStdin: () => Promise.resolve(''),
        env: { KUBECONFIG: kubeconfig },
      },
    );
    expect(status).toBe(1);
    expect(err.join('')).toBe(
      `controller: kubeconfig ${kubeconfig}: current-context: names context "prod", which no contexts[] entry defines\n`,
    );
  });
});
