// `backendAuth.aws` with explicit credentials: requests to Bedrock are SigV4-signed with them (not
// with the environment's), checked by re-signing the request the local upstream recorded.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { Sha256 } from '@aws-crypto/sha256-js';
import { loadConfig, type AiBackendModel, type LlmBackendModel } from '@agentplane/gateway-config';
import { SignatureV4 } from '@smithy/signature-v4';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compileBackend } from '../compile-backend.js';
import { startTestGateway, type TestGateway } from '../test-gateway.js';

const EXPLICIT = {
  accessKeyId: 'AKIAEXPLICITEXAMPLE',
  secretAccessKey: 'explicit/SECRET+key',
  sessionToken: 'explicit-session',
};
const ENV = { AWS_ACCESS_KEY_ID: 'AKIAENVIRONMENTKEY', AWS_SECRET_ACCESS_KEY: 'environment/SECRET+key' };

interface Recorded {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Signs the recorded request again, with its date and signed headers, using `creds`. */
async function resign(
  r: Recorded,
  port: number,
  creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  region: string,
): Promise<string> {
  const auth = String(r.headers.authorization);
  const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
  const headers: Record<string, string> = {};
  for (const h of signed) headers[h] = String(r.headers[h]);
  const amzDate = String(r.headers['x-amz-date']);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const signer = new SignatureV4({ credentials: creds, region, service: 'bedrock', sha256: Sha256 });
  const out = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      // As on the wire: the signer encodes each segment again (SigV4 for non-S3 services).
      path: r.path,
      query: {},
      headers,
      body: r.body,
    },
    { signingDate },
  );
  return String(out.headers.authorization);
}

describe('Bedrock with explicit AWS credentials (backendAuth.aws)', () => {
  let upstream: Server;
  let port = 0;
  let gw: TestGateway;
  const seen: Recorded[] = [];

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(readFileSync(new URL('../testdata/bedrock-converse.json', import.meta.url)));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    port = (upstream.address() as { port: number }).port;
    gw = await startTestGateway(
      `
binds:
- port: 0
  listeners:
  - routes:
    - name: explicit
      matches: [{path: {pathPrefix: /explicit}}]
      backends:
      - ai:
          name: b
          hostOverride: "127.0.0.1:${port}"
          provider: {bedrock: {model: "anthropic.claude-3-haiku-20240307-v1:0", region: eu-west-1}}
          policies:
            backendAuth:
              aws:
                accessKeyId: ${EXPLICIT.accessKeyId}
                secretAccessKey: ${EXPLICIT.secretAccessKey}
                sessionToken: ${EXPLICIT.sessionToken}
                region: us-west-2
    - name: ambient
      matches: [{path: {pathPrefix: /ambient}}]
      backends:
      - ai:
          name: a
          hostOverride: "127.0.0.1:${port}"
          provider: {bedrock: {model: "anthropic.claude-3-haiku-20240307-v1:0", region: eu-west-1}}
          policies: {backendAuth: {aws: {}}}
`,
      { env: ENV },
    );
  });
  afterAll(async () => {
    await gw?.close();
    upstream?.closeAllConnections();
    if (upstream) await new Promise((r) => upstream.close(r));
  });
  beforeEach(() => {
    seen.length = 0;
  });

  const ask = (base: string) =>
    new OpenAI({ baseURL: `${gw.url}${base}/v1`, apiKey: 'x', maxRetries: 0 }).chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'weather?' }],
    });

  it('signs with the explicit key, secret, session token and signing region', async () => {
    const r = await ask('/explicit');
    expect(r.choices[0]?.message.content).toBe("I'll look that up.");
    const rec = seen[0] as Recorded;
    expect(rec.path).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    expect(rec.headers['x-amz-security-token']).toBe(EXPLICIT.sessionToken);
    expect(String(rec.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAEXPLICITEXAMPLE\/\d{8}\/us-west-2\/bedrock\/aws4_request, SignedHeaders=[^,]*x-amz-security-token[^,]*, Signature=[0-9a-f]{64}$/,
    );
    // The signature is the one the explicit secret gives for this very request, not the env's.
    expect(await resign(rec, port, EXPLICIT, 'us-west-2')).toBe(rec.headers.authorization);
    const withEnvSecret = { ...EXPLICIT, secretAccessKey: ENV.AWS_SECRET_ACCESS_KEY };
    expect(await resign(rec, port, withEnvSecret, 'us-west-2')).not.toBe(rec.headers.authorization);
    // The client's own credential never goes upstream.
    expect(JSON.stringify(rec.headers)).not.toContain('Bearer x');
  });

  it('`aws: {}` signs with the environment credentials and the provider region', async () => {
    await ask('/ambient');
    const rec = seen[0] as Recorded;
    expect(String(rec.headers.authorization)).toMatch(
      /Credential=AKIAENVIRONMENTKEY\/\d{8}\/eu-west-1\/bedrock\//,
    );
    expect(rec.headers['x-amz-security-token']).toBeUndefined();
    const env = { accessKeyId: ENV.AWS_ACCESS_KEY_ID, secretAccessKey: ENV.AWS_SECRET_ACCESS_KEY };
    expect(await resign(rec, port, env, 'eu-west-1')).toBe(rec.headers.authorization);
  });
});

describe('backendAuth.aws in config', () => {
  const llmBackend = (auth: string, env: Record<string, string> = {}) => {
    const { model } = loadConfig(
      `
llm:
  models:
  - name: claude
    provider: bedrock
    params: {model: anthropic.claude-3-haiku-20240307-v1:0, awsRegion: eu-central-1}
    auth: ${auth}
`,
      { env },
    );
    return model.binds[0]?.listeners[0]?.routes[0]?.backends[0]?.backend as AiBackendModel | LlmBackendModel;
  };

  it('the llm shorthand takes explicit credentials per model', () => {
    const b = compileBackend(
      llmBackend(
        `{aws: {accessKeyId: AKIA1, secretAccessKey: s1, sessionToken: t1, serviceName: bedrock-runtime}}`,
      ),
      { env: ENV },
    );
    expect(b.routes[0]?.groups[0]?.[0]).toMatchObject({
      aws: { accessKeyId: 'AKIA1', secretAccessKey: 's1', sessionToken: 't1' },
      awsService: 'bedrock-runtime',
      region: 'eu-central-1',
    });
  });

  it('rejects half a key pair, unknown keys, and aws auth with no credentials anywhere', () => {
    expect(() => llmBackend(`{aws: {accessKeyId: AKIA1}}`)).toThrow(/llm\.models\[0\]\.auth/);
    expect(() => llmBackend(`{aws: {accessKeyId: AKIA1, secretAccessKey: s, extra: 1}}`)).toThrow(
      /llm\.models\[0\]\.auth/,
    );
    expect(() => compileBackend(llmBackend(`{aws: {}}`), { env: {} })).toThrow(
      /llm\.models\[0\]\.auth\.aws: .*no credentials/,
    );
  });

  it('does not show the secret in the config dump', async () => {
    const { redactSecrets } = await import('@agentplane/gateway-config');
    const dump = JSON.stringify(
      redactSecrets(llmBackend(`{aws: {accessKeyId: AKIA1, secretAccessKey: s3cr3t, sessionToken: t0k3n}}`)),
    );
    expect(dump).not.toContain('s3cr3t');
    expect(dump).not.toContain('t0k3n');
  });
});
