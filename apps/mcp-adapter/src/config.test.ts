import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAppConfig, UsageError } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'mcp-adapter-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(content: unknown): string {
  const f = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, JSON.stringify(content));
  return f;
}
const fails = (argv: string[], env = {}) => {
  try {
    parseAppConfig(argv, env);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('parseAppConfig', () => {
  it('reads flags, with the command line after --', () => {
    expect(
      parseAppConfig(['--port', '3000', '--cmd', 'npx', '--shared', '--', '-y', 'server'], {
        SESSION_KEY: 'k',
        HOME: '/root',
      }),
    ).toEqual({
      host: '0.0.0.0',
      port: 3000,
      cmd: 'npx',
      args: ['-y', 'server'],
      childMode: 'shared',
      logLevel: 'info',
      sessionKey: 'k',
      childEnv: { HOME: '/root' },
    });
    expect(parseAppConfig(['-p', '1', '--cmd', 'uvx', '--args', 'a', '--args=--b'], {})).toMatchObject({
      args: ['a', '--b'],
      childMode: 'per-session',
    });
  });

  it('reads the config file the controller writes, flags winning', () => {
    const f = file({ port: 8000, cmd: 'uvx', args: ['mcp-server-fetch'], childMode: 'shared' });
    expect(parseAppConfig(['--config', f], {})).toMatchObject({
      port: 8000,
      cmd: 'uvx',
      args: ['mcp-server-fetch'],
      childMode: 'shared',
    });
    expect(parseAppConfig(['-c', f, '--port', '9', '--per-session'], {})).toMatchObject({
      port: 9,
      args: ['mcp-server-fetch'],
      childMode: 'per-session',
    });
  });

  it('says what is wrong', () => {
    expect(fails(['--port', '1'])).toContain('no command');
    expect(fails(['--cmd', 'x'])).toContain('no port');
    expect(fails(['--cmd', 'x', '--port', 'http'])).toContain('invalid port "http"');
    expect(fails(['--cmd', 'x', '--port', '1', '--shared', '--per-session'])).toContain('mutually exclusive');
    expect(fails(['--config', file({ port: 1, cmd: 'x', extra: true })])).toContain('Unrecognized key');
    expect(fails(['--config', join(dir, 'missing.json')])).toContain('cannot read config');
    expect(fails(['--cmd', 'x', '--port', '1'], { LOG_LEVEL: 'loud' })).toContain('LOG_LEVEL');
    expect(fails(['--bogus'])).toContain('bogus');
    expect(parseAppConfig(['--help'], {})).toBe('help');
  });
});
