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

/**
 * Seals session state into an opaque id with AES-256-GCM. The key is 32 bytes given as 64 hex
 * chars or base64; any other string is stretched with SHA-256 (fine for high-entropy secrets).
 */
export class SessionCodec {
  private readonly key: Buffer;

  constructor(opts: { key: string }) {
    this.key = deriveKey(opts.key);
  }

  encode(state: SessionState): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const plain = Buffer.from(JSON.stringify(state), 'utf8');
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  decode(token: string): SessionState {
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

function deriveKey(key: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(key)) return Buffer.from(key, 'hex');
  const b64 = Buffer.from(key, 'base64');
  if (b64.length === 32 && /^[A-Za-z0-9+/_-]+=*$/.test(key)) return b64;
  return createHash('sha256').update(key, 'utf8').digest();
}
