import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import bcrypt from 'bcryptjs';
import { AuthConfigError, credentialReader, type CredentialLocation } from './credential-location.js';
import type { RequestView } from './request-view.js';

export interface BasicAuthenticatorOptions {
  /** htpasswd text, or `{file}`. */
  readonly htpasswd: string | { readonly file: string };
  readonly realm?: string | null | undefined;
  readonly location?: CredentialLocation | undefined;
  readonly baseDir?: string;
}

export type BasicResult =
  | { readonly kind: 'absent' }
  | { readonly kind: 'valid'; readonly username: string }
  | { readonly kind: 'invalid' };

// apache-md5 (`$apr1$`) and apache-crypt (crypt(3) DES) are CommonJS without type declarations:
// each exports `(password, salt) => hash`.
type HashFn = (password: string, salt: string) => string;
const require = createRequire(import.meta.url);
const md5 = require('apache-md5') as HashFn;
const crypt = require('apache-crypt') as HashFn;

const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 1024;

/**
 * HTTP Basic authentication against an htpasswd user list. Hash formats: bcrypt (`$2y$`, `$2a$`,
 * `$2b$`), Apache MD5 (`$apr1$`), `{SHA}`, crypt(3) DES and, as htpasswd -p writes it, plain text.
 * Successful checks are cached for a minute (keyed by a digest of the credentials), so a bcrypt
 * hash is not recomputed on every request.
 */
export class BasicAuthenticator {
  readonly realm: string;
  private readonly users = new Map<string, string>();
  private readonly read: (req: RequestView) => string | undefined;
  private readonly verified = new Map<string, number>();

  constructor(opts: BasicAuthenticatorOptions) {
    this.realm = opts.realm ?? 'Restricted';
    this.read = credentialReader(opts.location, 'Basic ');
    let text: string;
    if (typeof opts.htpasswd === 'string') text = opts.htpasswd;
    else {
      const path = resolve(opts.baseDir ?? process.cwd(), opts.htpasswd.file);
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        throw new AuthConfigError(`cannot read htpasswd file ${path}: ${(e as Error).message}`);
      }
    }
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const i = line.indexOf(':');
      if (i <= 0) throw new AuthConfigError('htpasswd lines must be user:hash');
      this.users.set(line.slice(0, i), line.slice(i + 1));
    }
  }

  async authenticate(req: RequestView): Promise<BasicResult> {
    const cred = this.read(req);
    if (cred === undefined) return { kind: 'absent' };
    const decoded = Buffer.from(cred, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return { kind: 'invalid' };
    const user = decoded.slice(0, i);
    const password = decoded.slice(i + 1);
    const hash = this.users.get(user);
    if (hash === undefined) return { kind: 'invalid' };
    const cacheKey = createHash('sha256').update(`${user}\0${password}\0${hash}`).digest('base64');
    const until = this.verified.get(cacheKey);
    if (until !== undefined && until > Date.now()) return { kind: 'valid', username: user };
    if (!(await verifyHash(password, hash))) return { kind: 'invalid' };
    if (this.verified.size >= CACHE_MAX) this.verified.clear();
    this.verified.set(cacheKey, Date.now() + CACHE_TTL_MS);
    return { kind: 'valid', username: user };
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.byteLength === y.byteLength && timingSafeEqual(x, y);
}

export async function verifyHash(password: string, hash: string): Promise<boolean> {
  if (/^\$2[aby]\$/.test(hash)) return bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$'));
  if (hash.startsWith('$apr1$')) return same(md5(password, hash), hash);
  if (hash.startsWith('{SHA}'))
    return same(`{SHA}${createHash('sha1').update(password).digest('base64')}`, hash);
  if (hash.length === 13 && /^[./0-9A-Za-z]{13}$/.test(hash) && same(crypt(password, hash), hash))
    return true;
  return same(password, hash);
}
