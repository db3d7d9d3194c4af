// Static checks of the image definition: what the controller runs must be where the image puts it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dockerfile = readFileSync(fileURLToPath(new URL('../Dockerfile', import.meta.url)), 'utf8');
/** The instructions of the last stage (the image that ships). */
const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

function instruction(name: string): string[] {
  return finalStage
    .split('\n')
    .filter((l) => l.startsWith(`${name} `))
    .map((l) => l.slice(name.length + 1).trim());
}

describe('agent-runtime Dockerfile', () => {
  it("starts the bundle with kagent's arguments, from where it copies it", () => {
    const cmd = JSON.parse(instruction('CMD')[0] ?? '[]') as string[];
    expect(cmd).toEqual([
      'node',
      '/app/apps/agent-runtime/dist/main.js',
      '--host',
      '0.0.0.0',
      '--port',
      '8080',
      '--filepath',
      '/config',
    ]);
    expect(instruction('COPY')).toContain(
      '--from=build /src/apps/agent-runtime/dist /app/apps/agent-runtime/dist',
    );
    expect(instruction('EXPOSE')).toEqual(['8080']);
  });

  it('runs as a non-root user', () => {
    const user = instruction('USER')[0] ?? 'root';
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('sets only Node options that Node accepts in NODE_OPTIONS', () => {
    const value = /NODE_OPTIONS=(\S+)/.exec(instruction('ENV').join(' '))?.[1] ?? '';
    expect(value).toContain('--max-semi-space-size=');
    const out = execFileSync(process.execPath, ['-e', 'process.stdout.write("ok")'], {
      env: { PATH: process.env['PATH'] ?? '', NODE_OPTIONS: value },
      encoding: 'utf8',
    });
    expect(out).toBe('ok');
  });
});
