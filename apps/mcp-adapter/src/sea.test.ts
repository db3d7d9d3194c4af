// The single executable as it ships: built once, run directly and through the C library it
// brings along (as the Deployment starts it), serving server-everything to the MCP client.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildAdapter,
  connectClient,
  everythingFlags,
  startAdapterProcess,
  text,
} from './testing/adapter-process.js';

let built: ReturnType<typeof buildAdapter>;
beforeAll(() => {
  built = buildAdapter('sea');
}, 120_000);
afterAll(() => rmSync(built.dir, { recursive: true, force: true }));

describe('mcp-adapter single executable', () => {
  it('is one file that starts without node', () => {
    expect(statSync(built.exe).mode & 0o111).not.toBe(0);
    const out = execFileSync(built.exe, ['--help'], { env: {}, encoding: 'utf8', timeout: 10_000 });
    expect(out).toContain('usage: mcp-adapter');
  });

  const adapters: { stop(): Promise<void> }[] = [];
  afterAll(() => Promise.all(adapters.map((a) => a.stop())));

  it('serves a stdio server over streamable HTTP', async () => {
    const a = await startAdapterProcess(built.exe, [], everythingFlags());
    adapters.push(a);
    const c = await connectClient(a.base, 'streamableHttp');
    expect(text(await c.callTool({ name: 'echo', arguments: { message: 'from the executable' } }))).toContain(
      'from the executable',
    );
    await c.close();
  });

  // The Deployment runs /adapter/lib/ld.so --library-path /adapter/lib /adapter/mcp-adapter, so the
  // image's own C library (or lack of one) does not matter. Rebuild that layout from ldd's answer.
  it.skipIf(!existsSync('/usr/bin/ldd'))('runs through its own loader and libraries', async () => {
    const lib = join(built.dir, 'lib');
    mkdirSync(lib, { recursive: true });
    const ldd = execFileSync('ldd', [built.exe], { encoding: 'utf8' });
    for (const m of ldd.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)) {
      const path = m[1] ?? '';
      copyFileSync(path, join(lib, /\/ld-linux[^/]*$/.test(path) ? 'ld.so' : (path.split('/').pop() ?? '')));
    }
    const a = await startAdapterProcess(
      join(lib, 'ld.so'),
      ['--library-path', lib, built.exe],
      everythingFlags(),
    );
    adapters.push(a);
    const c = await connectClient(a.base, 'sse');
    expect((await c.listTools()).tools.map((t) => t.name)).toContain('echo');
    await c.close();
  });
});
