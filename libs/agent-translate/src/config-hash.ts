import { createHash } from 'node:crypto';

/**
 * The `kagent.dev/config-hash` pod annotation: the first 8 bytes of a SHA-256 over the files the
 * pod mounts and the Secret values it reads, as an unsigned decimal. Deterministic; any change
 * rolls the pods.
 */
export function computeConfigHash(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(String(Buffer.byteLength(part)));
    hash.update(':');
    hash.update(part);
  }
  return hash.digest().readBigUInt64BE(0).toString();
}
