import { readFileSync } from 'node:fs';
import type { BackendAuthModel } from '@agentplane/gateway-config';

/**
 * The `Authorization` value `backendAuth` sends upstream: `Bearer <key>` for a static key (a
 * `file` key is read on each call, so a rotated secret file takes effect), the client's own
 * `Authorization` header for `passthrough` (undefined when the client sent none).
 */
export function backendAuthorization(
  auth: BackendAuthModel,
  clientAuthorization: string | undefined,
): string | undefined {
  if (auth.kind === 'passthrough') return clientAuthorization;
  const key = 'inline' in auth.value ? auth.value.inline : readFileSync(auth.value.file, 'utf8').trim();
  return `Bearer ${key}`;
}
