import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface EnvtestPki {
  /** PEM of the self-signed serving certificate; clients trust it as their CA. */
  servingCert: string;
  servingCertFile: string;
  servingKeyFile: string;
  serviceAccountKeyFile: string;
  serviceAccountPublicKeyFile: string;
  tokenFile: string;
  adminToken: string;
  /** The CA kube-apiserver trusts for client certificates (`--client-ca-file`). */
  clientCaFile: string;
  /** A client certificate and key signed by it for user `admin` in group `system:masters`. */
  adminCertFile: string;
  adminKeyFile: string;
}

/**
 * Writes the keys and files kube-apiserver needs into `dir`: a self-signed serving certificate for
 * 127.0.0.1/localhost (openssl), a service-account signing key pair, and a static token file with
 * one cluster-admin token, and a client CA with a cluster-admin client certificate.
 */
export async function writeEnvtestPki(dir: string, adminToken: string): Promise<EnvtestPki> {
  const servingCertFile = join(dir, 'serving.crt');
  const servingKeyFile = join(dir, 'serving.key');
  await run('openssl', [
    'req',
    '-x509',
    '-nodes',
    '-days',
    '2',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-keyout',
    servingKeyFile,
    '-out',
    servingCertFile,
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  const clientCaFile = join(dir, 'client-ca.crt');
  const clientCaKeyFile = join(dir, 'client-ca.key');
  const adminCertFile = join(dir, 'admin.crt');
  const adminKeyFile = join(dir, 'admin.key');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  await run('openssl', [
    'req',
    '-x509',
    '-nodes',
    '-days',
    '2',
    ...ec,
    '-keyout',
    clientCaKeyFile,
    '-out',
    clientCaFile,
    '-subj',
    '/CN=envtest-client-ca',
  ]);
  // The organization is the user's group: system:masters may do anything.
  await run('openssl', [
    'req',
    '-x509',
    '-nodes',
    '-days',
    '2',
    ...ec,
    '-CA',
    clientCaFile,
    '-CAkey',
    clientCaKeyFile,
    '-keyout',
    adminKeyFile,
    '-out',
    adminCertFile,
    '-subj',
    '/O=system:masters/CN=admin',
    '-addext',
    'extendedKeyUsage=clientAuth',
    '-addext',
    'basicConstraints=critical,CA:FALSE',
  ]);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const serviceAccountKeyFile = join(dir, 'sa.key');
  const serviceAccountPublicKeyFile = join(dir, 'sa.pub');
  const tokenFile = join(dir, 'tokens.csv');
  await Promise.all([
    writeFile(serviceAccountKeyFile, privateKey, { mode: 0o600 }),
    writeFile(serviceAccountPublicKeyFile, publicKey),
    writeFile(tokenFile, `${adminToken},admin,admin-uid,system:masters\n`, { mode: 0o600 }),
  ]);
  return {
    servingCert: await readFile(servingCertFile, 'utf8'),
    servingCertFile,
    servingKeyFile,
    serviceAccountKeyFile,
    serviceAccountPublicKeyFile,
    tokenFile,
    adminToken,
    clientCaFile,
    adminCertFile,
    adminKeyFile,
  };
}
