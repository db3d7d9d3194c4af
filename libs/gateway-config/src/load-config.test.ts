import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { loadConfig } from './load-config.js';
import { redactSecrets } from './redact.js';

const examplesDir = fileURLToPath(
  new URL('../../../../shared/reference/agentgateway-examples/', import.meta.url),
);
const examples = readdirSync(examplesDir).filter((f) => f.endsWith('.yaml'));

function loadError(text: string, env: Record<string, string> = {}): ConfigError {
  try {
    loadConfig(text, { env });
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('agentgateway examples', () => {
  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(7);
  });
  it.each(examples)('%s loads', (file) => {
    const { model } = loadConfig(readFileSync(examplesDir + file, 'utf8'), { env: {} });
    expect(model.binds.length).toBeGreaterThan(0);
  });

  it('mcp-basic lowers to one MCP backend with a stdio target on port 3000', () => {
    const { model } = loadConfig(readFileSync(examplesDir + 'mcp-basic.yaml', 'utf8'), { env: {} });
    const route = model.binds[0]?.listeners[0]?.routes[0];
    expect(model.binds[0]?.port).toBe(3000);
    expect(route?.policies.cors?.exposeHeaders).toEqual(['Mcp-Session-Id']);
    const backend = route?.backends[0]?.backend;
    expect(backend?.kind).toBe('mcp');
    if (backend?.kind !== 'mcp') return;
    expect(backend.prefixMode).toBe('conditional');
    expect(backend.targets[0]?.transport).toEqual({
      kind: 'stdio',
      cmd: 'npx',
      args: ['@modelcontextprotocol/server-everything'],
      env: {},
      clearEnv: false,
    });
  });

  it('traffic-http lowers matches and policies', () => {
    const { model } = loadConfig(readFileSync(examplesDir + 'traffic-http.yaml', 'utf8'), { env: {} });
    const [match, policy, direct] = model.binds[0]?.listeners[0]?.routes ?? [];
    expect(match?.matches[0]).toEqual({
      path: { kind: 'prefix', value: '/match' },
      method: 'GET',
      headers: [{ name: 'x-header', match: { kind: 'regex', value: 'test-[0-9]' } }],
      query: [{ name: 'param', match: { kind: 'exact', value: 'hello' } }],
    });
    expect(match?.backends[0]?.backend).toMatchObject({ kind: 'host', host: '127.0.0.1', port: 8080 });
    expect(policy?.policies.cors?.maxAgeSeconds).toBe(100);
    expect(policy?.policies.localRateLimit).toEqual([
      { maxTokens: 10, tokensPerFill: 1, fillIntervalMs: 1000, type: 'requests' },
    ]);
    expect(policy?.policies.timeout).toEqual({ requestTimeoutMs: 1000 });
    expect(policy?.policies.retry).toEqual({ attempts: 2, codes: [429] });
    expect(policy?.policies.urlRewrite).toEqual({
      path: { kind: 'full', value: '/new-path' },
      authority: { kind: 'full', value: 'custom-host-header' },
    });
    expect(new TextDecoder().decode(direct?.policies.directResponse?.body)).toBe('hello!');
  });

  it('mcp-authentication keeps an HTTPS streamable-HTTP target URL', () => {
    const { model } = loadConfig(readFileSync(examplesDir + 'mcp-authentication.yaml', 'utf8'), { env: {} });
    const b = model.binds[0]?.listeners[0]?.routes[1]?.backends[0]?.backend;
    expect(b?.kind === 'mcp' && b.targets[0]?.transport).toEqual({
      kind: 'streamableHttp',
      url: 'https://mcpbin.is.solo.io/remote/mcp',
    });
  });
});

describe('env substitution', () => {
  it('accepts a port from an env var', () => {
    const { model } = loadConfig('mcp:\n  port: $PORT\n  targets: [{name: a, stdio: {cmd: x}}]\n', {
      env: { PORT: '4321' },
    });
    expect(model.binds[0]?.port).toBe(4321);
  });
  const doc = `
config:
  session:
    key: \${SESSION}
mcp:
  port: 3000
  targets:
  - name: a
    mcp:
      host: http://$HOST:3001/mcp
    policies:
      backendAuth:
        key: "$$literal-$MISSING"
`;
  it('replaces $VAR and ${VAR}, keeps $$ as $, reports unset vars with their path', () => {
    const { model, warnings } = loadConfig(doc, { env: { SESSION: 's3cret', HOST: 'localhost' } });
    expect(model.settings.sessionKey).toBe('s3cret');
    const b = model.binds[0]?.listeners[0]?.routes[0]?.backends[0]?.backend;
    expect(b?.kind === 'mcp' && b.targets[0]?.transport).toEqual({
      kind: 'streamableHttp',
      url: 'http://localhost:3001/mcp',
    });
    expect(b?.kind === 'mcp' && b.targets[0]?.policies.backendAuth).toEqual({
      kind: 'key',
      value: { inline: '$literal-' },
    });
    expect(warnings).toEqual([
      'mcp.targets[0].policies.backendAuth.key: env var MISSING is not set (using an empty string)',
    ]);
  });
});

describe('keys that are accepted but not applied', () => {
  it('load, and each is reported as a warning naming its path', () => {
    const { warnings } = loadConfig(
      `config:
  workerThreads: 2
  tracing:
    otlpEndpoint: http://localhost:4317
    randomSampling: true
    clientSampling: false
    fields:
      add:
        user: request.headers["x-user"]
binds: []
`,
      { env: {} },
    );
    expect(warnings).toEqual([
      'config.tracing.fields: accepted for compatibility with agentgateway, but not applied by this gateway',
      'config.tracing.clientSampling: accepted for compatibility with agentgateway, but not applied by this gateway',
      'config.workerThreads: accepted for compatibility with agentgateway, but not applied by this gateway',
    ]);
  });
});

describe('LLM settings that are accepted but not applied', () => {
  it('are reported wherever they sit', () => {
    const { warnings } = loadConfig(
      `binds:
- port: 3000
  listeners:
  - routes:
    - policies:
        ai:
          transformations: {max_tokens: "100"}
          finalTransformations: {temperature: "0.5"}
          promptCaching: {cacheSystem: true}
          promptGuard:
            request:
            - regex: {action: mask, rules: [{builtin: ssn}]}
            - regex: {action: mask, rules: [{builtin: email}]}
              scope: [messages]
      backends:
      - ai: {name: oai, provider: {openAI: {}}}
llm:
  models:
  - name: "*"
    provider: anthropic
    promptCaching: {cacheMessages: true}
`,
      { env: {} },
    );
    const unapplied = (path: string) =>
      `${path}: accepted for compatibility with agentgateway, but not applied by this gateway`;
    expect(warnings).toEqual([
      unapplied('binds[0].listeners[0].routes[0].policies.ai.promptGuard.request[1].scope'),
    ]);
  });
});

describe('errors name the key path', () => {
  it('unknown top-level key', () => {
    const e = loadError('bogus: 1\n');
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.issues).toEqual([{ path: 'bogus', message: 'unknown key' }]);
  });

  it('unknown nested key inside a route policy', () => {
    const e = loadError(`
binds:
- port: 3000
  listeners:
  - routes:
    - policies:
        cors:
          allowOrigin: ["*"]
      backends:
      - host: localhost:8080
`);
    expect(e.issues).toEqual([
      { path: 'binds[0].listeners[0].routes[0].policies.cors.allowOrigin', message: 'unknown key' },
    ]);
    expect(e.message).toContain('binds[0].listeners[0].routes[0].policies.cors.allowOrigin');
  });

  it('unknown key in an MCP target', () => {
    const e = loadError('mcp:\n  targets:\n  - name: a\n    stdio:\n      cmd: x\n      argz: []\n');
    expect(e.issues[0]?.path).toBe('mcp.targets[0].stdio.argz');
  });

  it('bad values', () => {
    const e = loadError(`
binds:
- port: 70000
  listeners:
  - routes:
    - policies:
        timeout:
          requestTimeout: soon
        localRateLimit:
        - maxTokens: 10
          fillInterval: 1s
          type: bananas
      backends:
      - host: localhost:8080
`);
    const paths = e.issues.map((i) => i.path).sort();
    expect(paths).toEqual([
      'binds[0].listeners[0].routes[0].policies.localRateLimit[0].type',
      'binds[0].listeners[0].routes[0].policies.timeout.requestTimeout',
      'binds[0].port',
    ]);
    expect(e.issues.find((i) => i.path.endsWith('requestTimeout'))?.message).toContain('invalid duration');
  });

  it('a backend with two kinds, or none', () => {
    const two = loadError(
      'binds:\n- port: 1\n  listeners:\n  - routes:\n    - backends:\n      - host: a:1\n        mcp: {targets: []}\n',
    );
    expect(two.issues[0]).toMatchObject({ path: 'binds[0].listeners[0].routes[0].backends[0]' });
    expect(two.issues[0]?.message).toContain('only one of');
  });

  it('invalid regex and unknown named backend are reported with paths', () => {
    const e = loadError(`
binds:
- port: 1
  listeners:
  - routes:
    - matches:
      - path: {regex: "("}
      backends:
      - backend: nope
`);
    expect(e.issues.map((i) => i.path)).toEqual([
      'binds[0].listeners[0].routes[0].backends[0].backend',
      'binds[0].listeners[0].routes[0].matches[0].path.regex',
    ]);
  });

  it('unsupported features are errors, not silently ignored', () => {
    const e = loadError(
      'binds:\n- port: 1\n  listeners:\n  - routes:\n    - policies: {csrf: {}}\n      backends: [{host: "a:1"}]\n',
    );
    expect(e.issues[0]).toEqual({
      path: 'binds[0].listeners[0].routes[0].policies.csrf',
      message: 'csrf is not supported by this gateway yet',
    });
  });

  it('a backendAuth location (only Authorization is implemented) is an error, not ignored', () => {
    const e = loadError(
      'mcp:\n  policies: {backendAuth: {passthrough: {location: {header: {name: x-token}}}}}\n  targets:\n  - {name: a, mcp: {host: "http://h:1/mcp"}, policies: {backendAuth: {key: {value: k, location: {queryParameter: {name: key}}}}}}\n',
    );
    expect(e.issues.map((i) => i.path).sort()).toEqual([
      'mcp.policies.backendAuth.passthrough.location',
      'mcp.targets[0].policies.backendAuth.key.location',
    ]);
  });

  it('YAML syntax errors carry a line', () => {
    const e = loadError('binds: [\n');
    expect(e.code).toBe('CONFIG_SYNTAX');
    expect(e.message).toMatch(/line \d+/);
  });

  it('two binds on one port', () => {
    const e = loadError(
      'mcp:\n  port: 3000\n  targets: [{name: a, stdio: {cmd: x}}]\nbinds:\n- port: 3000\n  listeners: []\n',
    );
    expect(e.issues[0]?.path).toBe('mcp.port');
  });
});

describe('redactSecrets', () => {
  it('hides session keys, API keys and backend auth values but keeps structure', () => {
    const { model } = loadConfig(
      'config:\n  session: {key: abc}\nmcp:\n  targets: [{name: a, mcp: {host: "http://h:1/mcp"}, policies: {backendAuth: {key: sk-123}}}]\n',
      { env: {} },
    );
    const dump = JSON.stringify(redactSecrets(model));
    expect(dump).not.toContain('abc');
    expect(dump).not.toContain('sk-123');
    expect(dump).toContain('"key":"bind/3000"');
    expect(dump).toContain('http://h:1/mcp');
  });
});

describe('LLM settings: model catalog, AWS signing, response moderation', () => {
  it('lowers config.modelCatalog in order: inline catalogs parsed (object or JSON text), files by path', () => {
    const { model } = loadConfig(
      `config:
  modelCatalog:
  - inline: {providers: {openai: {models: {gpt-4o: {rates: {input: "2.50", output: "10"}}}}}}
  - inline: '{"providers": {"anthropic": {"models": {"claude-*": {"rates": {"input": "3"}}}}}}'
  - file: /etc/prices.json
`,
      { env: {} },
    );
    expect(model.settings.modelCatalog).toEqual([
      {
        catalog: {
          providers: { openai: { models: { 'gpt-4o': { rates: { input: '2.50', output: '10' } } } } },
        },
      },
      { catalog: { providers: { anthropic: { models: { 'claude-*': { rates: { input: '3' } } } } } } },
      { file: '/etc/prices.json' },
    ]);
  });

  it('an inline catalog that is not JSON is an error at its path', () => {
    const e = loadError(`config:\n  modelCatalog:\n  - inline: 'providers: {'\n`);
    expect(e.issues[0]?.path).toBe('config.modelCatalog[0].inline');
    expect(e.issues[0]?.message).toMatch(/not valid JSON/);
  });

  it('backendAuth.aws is accepted for LLM providers and stays an error on plain backends', () => {
    const { model } = loadConfig(
      `binds:
- port: 1
  listeners:
  - routes:
    - backends:
      - ai:
          name: b
          provider: {bedrock: {region: us-east-1}}
          policies: {backendAuth: {aws: {accessKeyId: AKIA, secretAccessKey: s, region: us-west-2}}}
`,
      { env: {} },
    );
    const backend = model.binds[0]?.listeners[0]?.routes[0]?.backends[0]?.backend;
    expect(backend?.kind).toBe('ai');
    const e = loadError(
      'binds:\n- port: 1\n  listeners:\n  - routes:\n    - policies: {backendAuth: {aws: {}}}\n      backends: [{host: "a:1"}]\n',
    );
    expect(e.issues[0]).toEqual({
      path: 'binds[0].listeners[0].routes[0].policies.backendAuth.aws',
      message: 'backendAuth.aws is not supported by this gateway yet',
    });
    expect(
      loadError(
        `llm:\n  models:\n  - {name: m, provider: bedrock, auth: {aws: {assumeRole: {roleArn: x}}}}\n`,
      ).issues[0]?.path,
    ).toMatch(/^llm\.models\[0\]\.auth\.aws/);
  });

  it('openAIModeration is accepted as a response guard', () => {
    const { model } = loadConfig(
      `llm:
  policies:
    guardrails:
      response:
      - openAIModeration: {model: omni-moderation-latest}
        rejection: {status: 422}
  models: [{name: m, provider: openai}]
`,
      { env: {} },
    );
    expect(model.binds).toHaveLength(1);
  });
});
