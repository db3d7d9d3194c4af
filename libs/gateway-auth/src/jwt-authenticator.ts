import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
import { AuthConfigError, credentialReader, type CredentialLocation } from './credential-location.js';
import type { RequestView } from './request-view.js';

/** Inline JWKS JSON, a file holding it, or a URL serving it. */
export type JwksSource = string | { readonly file: string } | { readonly url: string };

export interface JwtProvider {
  readonly issuer: string;
  /** A non-empty list requires a matching `aud`. */
  readonly audiences?: readonly string[] | null | undefined;
  readonly jwks: JwksSource;
  readonly requiredClaims?: readonly string[] | undefined;
}

export type AuthMode = 'strict' | 'optional' | 'permissive';

export interface JwtAuthenticatorOptions {
  readonly providers: readonly JwtProvider[];
  readonly location?: CredentialLocation | undefined;
  /** Folder relative JWKS file paths are resolved against (the process's working directory). */
  readonly baseDir?: string;
  /** How long a fetched JWKS is trusted before it is fetched again (default 10 min). */
  readonly jwksCacheMaxAgeMs?: number;
  /** Least time between two fetches, also when a token names an unknown `kid` (default 30 s). */
  readonly jwksCooldownMs?: number;
  readonly jwksTimeoutMs?: number;
}

export type JwtResult =
  | { readonly kind: 'absent' }
  | { readonly kind: 'valid'; readonly claims: Record<string, unknown> }
  | { readonly kind: 'invalid'; readonly reason: string };

interface CompiledProvider {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly keys: JWTVerifyGetKey;
  readonly requiredClaims: readonly string[];
}

/**
 * Verifies bearer JWTs against one or more issuers. Remote JWKS are cached and fetched again when
 * a token names a key id the cached set does not hold (key rotation), at most once per cooldown.
 */
export class JwtAuthenticator {
  private readonly providers: readonly CompiledProvider[];
  private readonly read: (req: RequestView) => string | undefined;

  constructor(opts: JwtAuthenticatorOptions) {
    this.read = credentialReader(opts.location, 'Bearer ');
    this.providers = opts.providers.map((p) => ({
      issuer: p.issuer,
      audiences: p.audiences ?? [],
      requiredClaims: p.requiredClaims ?? [],
      keys: keySet(p.jwks, opts),
    }));
    if (this.providers.length === 0) throw new AuthConfigError('jwtAuth needs at least one provider');
  }

  credential(req: RequestView): string | undefined {
    return this.read(req);
  }

  async authenticate(req: RequestView): Promise<JwtResult> {
    const token = this.read(req);
    if (token === undefined) return { kind: 'absent' };
    return this.verify(token);
  }

  async verify(token: string): Promise<JwtResult> {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      return { kind: 'invalid', reason: 'malformed token' };
    }
    const provider =
      this.providers.length === 1 ? this.providers[0] : this.providers.find((p) => p.issuer === iss);
    if (!provider) return { kind: 'invalid', reason: 'unknown issuer' };
    try {
      const { payload } = await jwtVerify(token, provider.keys, {
        issuer: provider.issuer,
        ...(provider.audiences.length > 0 ? { audience: [...provider.audiences] } : {}),
        requiredClaims: [...provider.requiredClaims],
        clockTolerance: 30,
      });
      return { kind: 'valid', claims: payload };
    } catch (e) {
      return { kind: 'invalid', reason: describe(e) };
    }
  }
}

function describe(e: unknown): string {
  if (e instanceof joseErrors.JWTExpired) return 'token expired';
  if (e instanceof joseErrors.JWTClaimValidationFailed) return `claim ${e.claim} invalid`;
  if (e instanceof joseErrors.JWKSNoMatchingKey) return 'no matching key';
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature invalid';
  if (e instanceof joseErrors.JWKSTimeout) return 'JWKS fetch timed out';
  if (e instanceof joseErrors.JOSEError) return e.code;
  return 'verification failed';
}

function keySet(src: JwksSource, opts: JwtAuthenticatorOptions): JWTVerifyGetKey {
  if (typeof src === 'object' && 'url' in src) {
    let url: URL;
    try {
      url = new URL(src.url);
    } catch {
      throw new AuthConfigError(`invalid JWKS url ${JSON.stringify(src.url)}`);
    }
    return createRemoteJWKSet(url, {
      cacheMaxAge: opts.jwksCacheMaxAgeMs ?? 10 * 60_000,
      cooldownDuration: opts.jwksCooldownMs ?? 30_000,
      timeoutDuration: opts.jwksTimeoutMs ?? 5_000,
    });
  }
  let text: string;
  if (typeof src === 'object') {
    const path = resolve(opts.baseDir ?? process.cwd(), src.file);
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new AuthConfigError(`cannot read JWKS file ${path}: ${(e as Error).message}`);
    }
  } else text = src;
  let jwks: unknown;
  try {
    jwks = JSON.parse(text);
  } catch {
    throw new AuthConfigError('JWKS is not valid JSON');
  }
  // A single JWK is accepted as a set of one.
  const set = isObject(jwks) && Array.isArray(jwks.keys) ? jwks : { keys: [jwks] };
  try {
    return createLocalJWKSet(set as unknown as JSONWebKeySet);
  } catch (e) {
    throw new AuthConfigError(`invalid JWKS: ${(e as Error).message}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
