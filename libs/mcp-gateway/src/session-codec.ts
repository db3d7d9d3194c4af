import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** What a client-facing MCP session id carries, so any replica holding the key can resume it. */
export interface SessionState {
  /** Random session identity. */
  readonly id: string;
  /** The backend this session belongs to (a token for another backend is rejected). */
  readonly backend: string;
  /** The client's initialize params, replayed when an upstream has to be re-initialized. */
  readonly init: {
    readonly protocolVersion: string;
    readonly capabilities: Record<string, unknown>;
    readonly clientInfo: Record<string, unknown>;
  };
  /** Per target: the upstream session id (HTTP targets) at issue time. */
  readonly targets: readonly { readonly name: string; readonly sessionId?: string }[];
  /** Negotiated protocol version. */
  readonly protocolVersion: string;
}

export class SessionCodecError extends Error {
  override readonly name = 'SessionCodecError';
  readonly code = 'SESSION_INVALID';
}

const VERSION = 1;

export interface SessionCodecOptions {
  readonly key: string;
  /**
   * How many tokens (issued here or decrypted once) are remembered with their state, so that
   * the requests of a session do not decrypt its id every time. Default 10 000; 0 disables.
   */
  readonly cacheSize?: number;
}

/**
 * Seals session state into an opaque id with AES-256-GCM. The key is 32 bytes given as 64 hex
 * chars or base64; any other string is stretched with SHA-256 (fine for high-entropy secrets).
 *
 * A token always opens to the same state under the same key, so tokens that were issued or
 * opened successfully are cached (bounded, oldest out first); unknown tokens are always
 * decrypted and authenticated. Revocation (DELETE) is decided by the caller after `decode`.
 */
export class SessionCodec {
  private readonly key: Buffer;
  private readonly cache = new Map<string, SessionState>();
  private readonly cacheSize: number;

  constructor(opts: SessionCodecOptions) {
    this.key = deriveKey(opts.key);
    this.cacheSize = opts.cacheSize ?? 10_000;
  }

  encode(state: SessionState): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const plain = Buffer.from(JSON.stringify(state), 'utf8');
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const token = Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]).toString(
      'base64url',
    );
    // What decode would return: a JSON copy, so later changes to `state` cannot leak in.
    this.remember(token, JSON.parse(plain.toString('utf8')) as SessionState);
    return token;
  }

  decode(token: string): SessionState {
    const known = this.cache.get(token);
    if (known) return known;
    const state = this.open(token);
    this.remember(token, state);
    return state;
  }

  private remember(token: string, state: SessionState): void {
    if (this.cacheSize <= 0) return;
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(token, deepFreeze(state));
  }

  private open(token: string): SessionState {
    let raw: Buffer;
    try {
      raw = Buffer.from(token, 'base64url');
    } catch {
      throw new SessionCodecError('malformed session id');
    }
    if (raw.length < 1 + 12 + 16 + 2 || raw[0] !== VERSION)
      throw new SessionCodecError('malformed session id');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(1, 13));
      decipher.setAuthTag(raw.subarray(13, 29));
      const plain = Buffer.concat([decipher.update(raw.subarray(29)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as SessionState;
    } catch (e) {
      throw new SessionCodecError('session id not issued under this key', { cause: e });
    }
  }
}

/** Cached states are shared between requests: frozen, so no caller can change them for the next. */
function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

function deriveKey(key: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(key)) return Buffer.from(key, 'hex');
  const b64 = Buffer.from(key, 'base64');
  if (b64.length === 32 && /^[A-Za-z0-9+/_-]+=*$/.test(key)) return b64;
  return createHash('sha256').update(key, 'utf8').digest();
}
