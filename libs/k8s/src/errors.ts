/** A request to the Kubernetes API answered with an error status (or not answered at all). */
export class KubeApiError extends Error {
  readonly code = 'KUBE_API_ERROR';
  /** HTTP status; 0 when no response arrived. */
  readonly statusCode: number;
  /** The `reason` of the API server's Status object, e.g. `NotFound`, `Conflict`, `Expired`. */
  readonly reason: string | undefined;

  constructor(message: string, options: { statusCode: number; reason?: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KubeApiError';
    this.statusCode = options.statusCode;
    this.reason = options.reason;
  }
}

/** An error a reconciler throws when retrying cannot help (e.g. an invalid spec). Not retried. */
export class TerminalReconcileError extends Error {
  readonly code = 'TERMINAL_RECONCILE_ERROR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalReconcileError';
  }
}

/** A kind the API server does not serve (CRD not installed, wrong apiVersion). */
export class UnknownKindError extends Error {
  readonly code = 'UNKNOWN_KIND';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnknownKindError';
  }
}

/** A manifest in the local folder that cannot be used (bad YAML, missing kind or name). */
export class ManifestError extends Error {
  readonly code = 'INVALID_MANIFEST';
  readonly file: string;
  constructor(message: string, options: { file: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ManifestError';
    this.file = options.file;
  }
}

/** A kubeconfig (or in-cluster service account) that cannot be used; names the file and field. */
export class KubeConfigError extends Error {
  readonly code = 'INVALID_KUBECONFIG';
  readonly file: string | undefined;
  /** e.g. `clusters["dev"].cluster.certificate-authority`. */
  readonly field: string | undefined;
  constructor(message: string, options: { file?: string; field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KubeConfigError';
    this.file = options.file;
    this.field = options.field;
  }
}

/** A workload that cannot be started (bad spec, no free port, spawn failure). */
export class WorkloadError extends Error {
  readonly code = 'WORKLOAD_ERROR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorkloadError';
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 404;
}

export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 409;
}

export function isGone(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 410;
}
