import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import bcrypt from 'bcryptjs';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { BasicAuthenticator } from './basic-authenticator.js';
import { CelRuleSet } from './cel-rules.js';
import { AuthConfigError } from './credential-location.js';
import { JwtAuthenticator } from './jwt-authenticator.js';
import type { RequestView } from './request-view.js';
import { RouteSecurity } from './route-security.js';

const view = (headers: Record<string, string> = {}, extra: Partial<RequestView> = {}): RequestView => ({
  method: 'GET',
  path: '/mcp',
  query: '',
  host: 'gw.test',
  scheme: 'http',
  headers,
  sourceAddress: '127.0.0.1',
  sourcePort: 40000,
  ...extra,
});
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

async function keyPair(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const sign = (claims: Record<string, unknown>, opts: { iss?: string; aud?: string; exp?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(opts.iss ?? 'https://issuer.test')
      .setAudience(opts.aud ?? 'gw')
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '5m')
      .sign(privateKey);
  return { jwk, sign };
}

describe('JWT', () => {
  let k1: Awaited<ReturnType<typeof keyPair>>;
  let k2: Awaited<ReturnType<typeof keyPair>>;
  let jwksServer: Server;
  let served: JWK[] = [];
  let fetches = 0;
  let jwksUrl = '';

  beforeAll(async () => {
    k1 = await keyPair('k1');
    k2 = await keyPair('k2');
    served = [k1.jwk];
    jwksServer = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((r) => jwksServer.close(() => r())));

  it('verifies issuer, audience, signature and expiry against an inline JWKS', async () => {
    const auth = new JwtAuthenticator({
      providers: [
        { issuer: 'https://issuer.test', audiences: ['gw'], jwks: JSON.stringify({ keys: [k1.jwk] }) },
      ],
    });
    const ok = await auth.authenticate(view(bearer(await k1.sign({ sub: 'alice' }))));
    expect(ok).toMatchObject({ kind: 'valid', claims: { sub: 'alice' } });
    expect(await auth.authenticate(view())).toEqual({ kind: 'absent' });
    expect(await auth.authenticate(view(bearer(await k1.sign({}, { aud: 'other' }))))).toMatchObject({
      kind: 'invalid',
    });
    expect(
      await auth.authenticate(view(bearer(await k1.sign({}, { iss: 'https://evil.test' })))),
    ).toMatchObject({
      kind: 'invalid',
    });
    expect(await auth.authenticate(view(bearer(await k2.sign({}))))).toMatchObject({ kind: 'invalid' });
    expect(await auth.authenticate(view(bearer('not.a.jwt')))).toMatchObject({ kind: 'invalid' });
  });

  it('caches a remote JWKS and fetches it again when a token names an unknown kid (rotation)', async () => {
    const auth = new JwtAuthenticator({
      providers: [{ issuer: 'https://issuer.test', audiences: ['gw'], jwks: { url: jwksUrl } }],
      jwksCooldownMs: 0,
    });
    const t1 = await k1.sign({ sub: 'a' });
    expect((await auth.authenticate(view(bearer(t1)))).kind).toBe('valid');
    expect((await auth.authenticate(view(bearer(t1)))).kind).toBe('valid');
    expect(fetches).toBe(1);
    served = [k1.jwk, k2.jwk]; // the issuer rotates in a new key
    expect(await auth.authenticate(view(bearer(await k2.sign({ sub: 'b' }))))).toMatchObject({
      kind: 'valid',
      claims: { sub: 'b' },
    });
    expect(fetches).toBe(2);
  });
});

describe('API keys and basic auth', () => {
  it('accepts keys given in clear or as SHA-256 hashes and exposes their metadata', () => {
    const hash = createHash('sha256').update('k-two').digest('hex');
    const auth = new ApiKeyAuthenticator({
      keys: [
        { key: 'k-one', metadata: { team: 'a' } },
        { keyHash: hash, metadata: { team: 'b' } },
      ],
    });
    expect(auth.authenticate(view(bearer('k-one')))).toEqual({ kind: 'valid', metadata: { team: 'a' } });
    expect(auth.authenticate(view(bearer('k-two')))).toEqual({ kind: 'valid', metadata: { team: 'b' } });
    expect(auth.authenticate(view(bearer('k-three')))).toEqual({ kind: 'invalid' });
    expect(auth.authenticate(view())).toEqual({ kind: 'absent' });
  });

  it('checks htpasswd bcrypt, apr1, SHA and plain entries', async () => {
    const htpasswd = [
      `bc:${bcrypt.hashSync('pw-bc', 4).replace(/^\$2b\$/, '$2y$')}`,
      'md:$apr1$r31abcde$vBxwkEsasT3tF5B4BJz7K/', // openssl passwd -apr1, password "pass"
      `sh:{SHA}${createHash('sha1').update('pw-sh').digest('base64')}`,
      'pl:pw-pl',
    ].join('\n');
    const auth = new BasicAuthenticator({ htpasswd, realm: 'r' });
    const basic = (c: string) => view({ authorization: `Basic ${Buffer.from(c).toString('base64')}` });
    for (const [cred, ok] of [
      ['bc:pw-bc', true],
      ['bc:wrong', false],
      ['md:pass', true],
      ['md:wrong', false],
      ['sh:pw-sh', true],
      ['pl:pw-pl', true],
      ['nobody:x', false],
    ] as const) {
      expect((await auth.authenticate(basic(cred))).kind, cred).toBe(ok ? 'valid' : 'invalid');
    }
  });
});

describe('CEL rules', () => {
  it('allow, deny and require rules combine as in agentgateway; failing expressions do not match', () => {
    const rules = CelRuleSet.compile([
      { effect: 'allow', expression: 'mcp.tool.name == "echo"' },
      { effect: 'allow', expression: 'jwt.sub == "test-user" && mcp.tool.name == "get-sum"' },
      { effect: 'deny', expression: 'source.address == "10.0.0.9"' },
    ]);
    const src = { address: '127.0.0.1' };
    expect(rules.allows({ source: src, mcp: { tool: { name: 'echo' } } })).toBe(true);
    expect(rules.allows({ source: src, mcp: { tool: { name: 'get-sum' } } })).toBe(false); // no jwt
    expect(rules.allows({ source: src, jwt: { sub: 'test-user' }, mcp: { tool: { name: 'get-sum' } } })).toBe(
      true,
    );
    expect(rules.allows({ source: { address: '10.0.0.9' }, mcp: { tool: { name: 'echo' } } })).toBe(false);
    const req = CelRuleSet.compile([{ effect: 'require', expression: 'request.headers["x-team"] == "a"' }]);
    expect(req.allows({ request: { headers: { 'x-team': 'a' } } })).toBe(true);
    expect(req.allows({ request: { headers: {} } })).toBe(false);
    const cidr = CelRuleSet.compile([
      { effect: 'allow', expression: 'cidr("127.0.0.1/8").containsIP(source.address)' },
    ]);
    expect(cidr.allows({ source: { address: '127.0.0.5' } })).toBe(true);
    expect(cidr.allows({ source: { address: '::ffff:127.0.0.5' } })).toBe(true);
    expect(cidr.allows({ source: { address: '192.168.1.1' } })).toBe(false);
    expect(() => CelRuleSet.compile([{ effect: 'allow', expression: 'mcp.tool.name ==' }])).toThrow(
      AuthConfigError,
    );
  });

  it('route security: strict API key, then rules over apiKey metadata and request', async () => {
    const sec = new RouteSecurity({
      apiKey: {
        mode: 'strict',
        keys: [
          { key: 'k', metadata: { role: 'admin' } },
          { key: 'u', metadata: { role: 'user' } },
        ],
      },
      authorization: [{ effect: 'allow', expression: 'apiKey.role == "admin" || request.method == "GET"' }],
    });
    expect(await sec.check(view(), 'http://gw.test')).toMatchObject({ kind: 'deny', status: 401 });
    expect(await sec.check(view(bearer('u')), 'http://gw.test')).toMatchObject({ kind: 'allow' });
    expect(await sec.check(view(bearer('u'), { method: 'POST' }), 'http://gw.test')).toMatchObject({
      kind: 'deny',
      status: 403,
    });
    expect(await sec.check(view(bearer('k'), { method: 'POST' }), 'http://gw.test')).toMatchObject({
      kind: 'allow',
      identity: { apiKey: { role: 'admin' } },
    });
  });
});
