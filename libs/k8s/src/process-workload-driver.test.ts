import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@agentplane/testing/wait';
import { ProcessWorkloadDriver } from './process-workload-driver.js';
import type { WorkloadSpec, WorkloadStatus } from './workload-driver.js';

// A tiny HTTP server: answers with $GREETING on $PORT.
const SERVER = `require('node:http').createServer((q, s) => s.end(process.env.GREETING || 'none')).listen(Number(process.env.PORT), '127.0.0.1')`;

const server = (greeting: string): WorkloadSpec => ({
  namespace: 'ns',
  name: 'web',
  command: process.execPath,
  args: ['-e', SERVER],
  env: { GREETING: greeting },
  readinessPath: '/',
});

async function body(url: string): Promise<string> {
  const res = await fetch(url);
  return res.text();
}

describe('ProcessWorkloadDriver', () => {
  let driver: ProcessWorkloadDriver | undefined;
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
  });

  it('runs a workload on a free port, restarts it on change and on exit, and stops it on delete', async () => {
    driver = new ProcessWorkloadDriver({ initialBackoffMs: 50, readinessIntervalMs: 50 });
    const changes: WorkloadStatus[] = [];
    driver.onChange((s) => changes.push(s));
    const first = await driver.apply(server('hello'));
    expect(first.port).toBeGreaterThan(0);
    const ready = await waitFor(() =>
      driver?.status('ns', 'web')?.ready ? driver.status('ns', 'web') : false,
    );
    expect(await body(ready.url)).toBe('hello');
    expect(changes.some((c) => c.ready)).toBe(true);

    // The same spec again: nothing restarts.
    await driver.apply(server('hello'));
    expect(driver.status('ns', 'web')?.pid).toBe(ready.pid);

    // A changed spec: a new process on the same port.
    await driver.apply(server('changed'));
    const changed = await waitFor(() => {
      const s = driver?.status('ns', 'web');
      return s?.ready && s.pid !== ready.pid ? s : false;
    });
    expect(changed.port).toBe(first.port);
    expect(await body(changed.url)).toBe('changed');

    // The process dies: it is started again after a backoff.
    process.kill(changed.pid!, 'SIGKILL');
    const restarted = await waitFor(
      () => {
        const s = driver?.status('ns', 'web');
        return s?.ready && s.pid !== changed.pid ? s : false;
      },
      { description: 'restart after exit' },
    );
    expect(restarted.restarts).toBe(1);
    expect(restarted.lastExitSignal).toBe('SIGKILL');
    expect(await body(restarted.url)).toBe('changed');

    // Deleted: the process is gone.
    expect(await driver.delete('ns', 'web')).toBe(true);
    expect(driver.status('ns', 'web')).toBeUndefined();
    expect(() => process.kill(restarted.pid!, 0)).toThrow();
    await expect(fetch(restarted.url)).rejects.toThrow();
    expect(changes.at(-1)).toMatchObject({ phase: 'Stopped', ready: false });
    expect(await driver.delete('ns', 'web')).toBe(false);
  });

  it('backs off a crash-looping workload', async () => {
    driver = new ProcessWorkloadDriver({ initialBackoffMs: 20, maxBackoffMs: 100 });
    await driver.apply({
      namespace: 'ns',
      name: 'crash',
      command: process.execPath,
      args: ['-e', 'process.exit(3)'],
    });
    const looping = await waitFor(
      () => {
        const s = driver?.status('ns', 'crash');
        return s && s.restarts >= 3 ? s : false;
      },
      { description: 'three restarts' },
    );
    expect(looping.lastExitCode).toBe(3);
    expect(looping.ready).toBe(false);
    await driver.close();
    expect(driver.list()).toEqual([]);
  });
});
