// SigV4 signing of Bedrock requests with AWS's own signer.
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentials } from './provider.js';

export async function signAws(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string,
  region: string,
  credentials: AwsCredentials,
  service = 'bedrock',
): Promise<Record<string, string>> {
  const u = new URL(url);
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256 });
  const query: Record<string, string> = {};
  for (const [k, v] of u.searchParams) query[k] = v;
  const signed = await signer.sign({
    method,
    protocol: u.protocol,
    hostname: u.hostname,
    ...(u.port ? { port: Number(u.port) } : {}),
    path: u.pathname,
    query,
    headers: { ...headers, host: u.host },
    body,
  });
  return signed.headers;
}
