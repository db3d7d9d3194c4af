import { startMockLlm, type MockLlm } from '@agentplane/testing/mock-llm';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './test-gateway.js';

// A route's backendAuth (e.g. an AgentgatewayPolicy on an HTTPRoute) reaches AI providers that
// set no credentials of their own, ahead of the provider's key from the environment.
describe('route-level backendAuth on AI backends', () => {
  let llm: MockLlm;
  let gw: TestGateway;

  beforeAll(async () => {
    llm = await startMockLlm({ rules: [{ match: { contains: 'hi' }, response: { content: 'hello' } }] });
    const host = `127.0.0.1:${llm.port}`;
    const route = (name: string, routePolicies: string, providerPolicies = '') => `
    - name: ${name}
      matches: [{path: {pathPrefix: /${name}}}]
      ${routePolicies ? `policies: ${routePolicies}` : ''}
      backends:
      - ai:
          name: ${name}-ai
          hostOverride: ${host}
          provider: {openAI: {}}
          ${providerPolicies ? `policies: ${providerPolicies}` : ''}`;
    gw = await startTestGateway(
      `
binds:
- port: 0
  listeners:
  - routes:${route('routekey', '{backendAuth: {key: route-key}}')}${route(
    'ownkey',
    '{backendAuth: {key: route-key}}',
    '{backendAuth: {key: own-key}}',
  )}${route('passthrough', '{backendAuth: {passthrough: {}}}')}${route('envkey', '')}
`,
      { env: { OPENAI_API_KEY: 'env-key' } },
    );
  });
  afterAll(async () => {
    await gw?.close();
    await llm?.close();
  });
  beforeEach(() => llm.reset());

  const keySeenFor = async (prefix: string): Promise<string | undefined> => {
    const client = new OpenAI({ baseURL: `${gw.url}/${prefix}/v1`, apiKey: 'client-key', maxRetries: 0 });
    const r = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(r.choices[0]?.message.content).toBe('hello');
    return llm.requests.at(-1)?.headers.authorization;
  };

  it("sends the route's key in place of the environment's", async () => {
    expect(await keySeenFor('routekey')).toBe('Bearer route-key');
  });

  it("keeps a provider's own key over the route's", async () => {
    expect(await keySeenFor('ownkey')).toBe('Bearer own-key');
  });

  it("forwards the client's key when the route says passthrough", async () => {
    expect(await keySeenFor('passthrough')).toBe('Bearer client-key');
  });

  it("uses the environment's key when no level sets one", async () => {
    expect(await keySeenFor('envkey')).toBe('Bearer env-key');
  });
});
