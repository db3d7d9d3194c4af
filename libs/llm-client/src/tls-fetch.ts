import { readFile } from 'node:fs/promises';
import { LlmError } from './llm-error.js';

export interface TlsOptions {
  /** PEM file with extra CA certificates to trust. */
  readonly caCertPath?: string;
  /** Trust only `caCertPath`, not the system CAs. */
  readonly disableSystemCas?: boolean;
  /** Skip certificate verification. */
  readonly insecureSkipVerify?: boolean;
}

export function hasTlsOptions(tls: TlsOptions): boolean {
  return Boolean(tls.caCertPath) || Boolean(tls.insecureSkipVerify);
}

/**
 * A `fetch` that applies the model's TLS settings (custom CA, no system CAs, no verification),
 * for provider clients that take a `fetch` option.
 */
export async function createTlsFetch(tls: TlsOptions): Promise<typeof fetch> {
  const { Agent, fetch: undiciFetch } = await import('undici');
  const ca: string[] = [];
  if (tls.caCertPath) {
    // Loaded here, not at startup: `node:tls` alone adds megabytes to an idle process.
    if (!tls.disableSystemCas) ca.push(...(await import('node:tls')).rootCertificates);
    try {
      ca.push(await readFile(tls.caCertPath, 'utf8'));
    } catch (err) {
      throw new LlmError(
        'LLM_TLS_CONFIG',
        `model.tls_ca_cert_path: cannot read ${tls.caCertPath}`,
        undefined,
        {
          cause: err,
        },
      );
    }
  }
  const dispatcher = new Agent({
    connect: {
      ...(ca.length > 0 ? { ca } : {}),
      rejectUnauthorized: !tls.insecureSkipVerify,
    },
  });
  const tlsFetch = (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    });
  return tlsFetch;
}
