import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthConfigError, credentialReader, type CredentialLocation } from './credential-location.js';
import type { RequestView } from './request-view.js';

/** A key in clear, or its SHA-256 (hex, or base64/base64url; optionally `sha256:`-prefixed). */
export type ApiKeyEntry =
  | { readonly key: string; readonly metadata?: unknown }
  | { readonly keyHash: string; readonly metadata?: unknown };

export interface ApiKeyAuthenticatorOptions {
  readonly keys: readonly ApiKeyEntry[];
  readonly location?: CredentialLocation | undefined;
}

export type ApiKeyResult =
  | { readonly kind: 'absent' }
  | { readonly kind: 'valid'; readonly metadata: Record<string, unknown> }
  | { readonly kind: 'invalid' };

const sha256 = (s: string) => createHash('sha256').update(s).digest();

function digestOf(hash: string): Buffer {
  const h = hash.replace(/^sha256:/i, '').trim();
  if (/^[0-9a-f]{64}$/i.test(h)) return Buffer.from(h, 'hex');
  const b = Buffer.from(h.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (b.byteLength !== 32)
    throw new AuthConfigError('apiKey keyHash must be a SHA-256 digest (hex or base64)');
  return b;
}

/** Checks an API key against a list of keys or key hashes; keys are compared as SHA-256 digests in constant time. */
export class ApiKeyAuthenticator {
  private readonly entries: readonly { digest: Buffer; metadata: Record<string, unknown> }[];
  private readonly read: (req: RequestView) => string | undefined;

  constructor(opts: ApiKeyAuthenticatorOptions) {
    this.read = credentialReader(opts.location, 'Bearer ');
    this.entries = opts.keys.map((k) => ({
      digest: 'key' in k ? sha256(k.key) : digestOf(k.keyHash),
      metadata: isObject(k.metadata) ? k.metadata : k.metadata === undefined ? {} : { value: k.metadata },
    }));
  }

  authenticate(req: RequestView): ApiKeyResult {
    const key = this.read(req);
    if (key === undefined) return { kind: 'absent' };
    const d = sha256(key);
    let found: Record<string, unknown> | undefined;
    // Look at every entry so the time taken does not say which one matched.
    for (const e of this.entries) if (timingSafeEqual(e.digest, d) && !found) found = e.metadata;
    return found ? { kind: 'valid', metadata: found } : { kind: 'invalid' };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
