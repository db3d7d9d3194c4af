import { describe, expect, it } from 'vitest';
import { inClusterAgent, routeSubAgentsThroughProxy } from './local-agent-urls.js';

describe('routeSubAgentsThroughProxy', () => {
  const config = {
    instruction: 'Delegate.',
    remote_agents: [
      { name: 'default__NS__helper', url: 'http://helper.default:8080', description: 'helps' },
      { name: 'team__NS__svc', url: 'http://svc.team.svc.cluster.local:8080/', headers: { a: 'b' } },
      { name: 'outside', url: 'https://agents.example.com/a2a' },
    ],
  };

  it("points in-cluster sub-agent URLs at the controller's A2A proxy, keeping the rest", () => {
    const out = JSON.parse(
      routeSubAgentsThroughProxy(JSON.stringify(config), 'http://127.0.0.1:8083/'),
    ) as unknown;
    expect(out).toEqual({
      instruction: 'Delegate.',
      remote_agents: [
        {
          name: 'default__NS__helper',
          url: 'http://127.0.0.1:8083/api/a2a/default/helper/',
          description: 'helps',
        },
        { name: 'team__NS__svc', url: 'http://127.0.0.1:8083/api/a2a/team/svc/', headers: { a: 'b' } },
        { name: 'outside', url: 'https://agents.example.com/a2a' },
      ],
    });
  });

  it('leaves a config without sub-agents, or that is not JSON, byte for byte', () => {
    const plain = '{"instruction":"x",  "http_tools":[]}';
    expect(routeSubAgentsThroughProxy(plain, 'http://127.0.0.1:8083')).toBe(plain);
    expect(routeSubAgentsThroughProxy('not json', 'http://127.0.0.1:8083')).toBe('not json');
    expect(routeSubAgentsThroughProxy('null', 'http://127.0.0.1:8083')).toBe('null');
  });
});

describe('inClusterAgent', () => {
  it.each([
    ['http://helper.default:8080', { namespace: 'default', name: 'helper' }],
    ['http://helper.default.svc:8080/', { namespace: 'default', name: 'helper' }],
    ['http://helper.default:9000', undefined],
    ['http://helper:8080', undefined],
    ['http://helper.default:8080/some/path', undefined],
    ['https://helper.default:8080', undefined],
    ['http://a.b.c:8080', undefined],
    ['not a url', undefined],
  ])('%s → %j', (url, expected) => {
    expect(inClusterAgent(url)).toEqual(expected);
  });
});
