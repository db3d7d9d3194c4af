import { describe, expect, it } from 'vitest';
import { parseAppConfig, UsageError, type AppConfig } from './config.js';

const ctx = {
  defaultLocalAdapter: '/opt/agentplane/apps/mcp-adapter/dist/main.js',
  nodePath: '/usr/bin/node',
  version: '0.1.0',
  randomId: 'abcd',
};
const parse = (argv: string[], env: Record<string, string> = {}): AppConfig => {
  const c = parseAppConfig(argv, env, ctx);
  if (c === 'help') throw new Error('help');
  return c;
};

describe('parseAppConfig', () => {
  it('has in-cluster defaults', () => {
    expect(parse([])).toMatchObject({
      metricsPort: 9091,
      metricsHost: '0.0.0.0',
      leaderElect: false,
      leaderElectionNamespace: 'kagent',
      leaderElectionId: 'agentplane-kmcp-controller',
      identity: 'kmcp-controller_abcd',
      watchNamespaces: [],
      defaultImages: {},
      workers: 2,
      logLevel: 'info',
      commit: 'unknown',
    });
    expect(parse([]).kubeconfigPath).toBeUndefined();
    expect(parse([]).localDir).toBeUndefined();
  });

  it('reads flags, with env as fallback', () => {
    const c = parse(
      [
        '--leader-elect',
        '--watch-namespaces',
        'a, b',
        '--adapter-image',
        'reg/adapter:2',
        '--default-image',
        'python=python:3.13',
        '--child-mode',
        'shared',
        '--log-level',
        'debug',
        '--metrics-port',
        '0',
      ],
      {
        KUBECONFIG: '/tmp/kc',
        POD_NAMESPACE: 'platform',
        POD_NAME: 'kmcp-0',
        DEFAULT_IMAGES: 'npx=node:22,uvx=uv:1',
        GIT_COMMIT: 'abc123',
      },
    );
    expect(c).toMatchObject({
      kubeconfigPath: '/tmp/kc',
      leaderElect: true,
      leaderElectionNamespace: 'platform',
      identity: 'kmcp-0_abcd',
      watchNamespaces: ['a', 'b'],
      adapterImage: 'reg/adapter:2',
      defaultImages: { npx: 'node:22', uvx: 'uv:1', python: 'python:3.13' },
      childMode: 'shared',
      logLevel: 'debug',
      metricsPort: 0,
      commit: 'abc123',
    });
  });

  it('runs a .js adapter with node in local mode and binds the ops port to loopback', () => {
    const c = parse(['--local', './manifests']);
    expect(c.localDir).toBe('./manifests');
    expect(c.metricsHost).toBe('127.0.0.1');
    expect(c.localAdapter).toEqual({ command: '/usr/bin/node', args: [ctx.defaultLocalAdapter] });
    expect(parse(['--local', 'm', '--local-adapter', '/adapter/mcp-adapter']).localAdapter).toEqual({
      command: '/adapter/mcp-adapter',
      args: [],
    });
  });

  it('rejects bad input with a usage error', () => {
    expect(() => parse(['--bogus'])).toThrow(UsageError);
    expect(() => parse(['--metrics-port', 'x'])).toThrow(/metrics port/);
    expect(() => parse(['--default-image', 'npx'])).toThrow(/<command>=<image>/);
    expect(() => parse(['--child-mode', 'pooled'])).toThrow(/child mode/);
    expect(() => parse([], { LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => parse(['--local', 'x', '--leader-elect'])).toThrow(/leader-elect/);
    expect(parseAppConfig(['--help'], {}, ctx)).toBe('help');
  });
});
