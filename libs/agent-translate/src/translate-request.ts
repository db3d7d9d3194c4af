import { createObjectResolver, objectKey, referenceKindOf } from './reference-resolver.js';
import { translateAgent, type TranslateAgentResult } from './translate-agent.js';
import type { TranslateOptions } from './translate-options.js';

/**
 * A translation request in kagent's golden-test format:
 * `{operation: translateAgent, targetObject, namespace, objects: [...]}`, optionally with
 * `defaultServiceAccountName` and `proxyURL`.
 */
export interface TranslateRequest {
  operation: 'translateAgent';
  targetObject: string;
  namespace: string;
  objects: unknown[];
  defaultServiceAccountName?: string;
  proxyURL?: string;
}

/** A request document that is not in the expected format. */
export class TranslateRequestError extends Error {
  override readonly name = 'TranslateRequestError';
  readonly code = 'INVALID_TRANSLATE_REQUEST';
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a parsed YAML/JSON document; throws {@link TranslateRequestError} naming the field. */
export function parseTranslateRequest(doc: unknown): TranslateRequest {
  if (!isRecord(doc)) throw new TranslateRequestError('the request must be a mapping');
  const fail = (field: string, detail: string): never => {
    throw new TranslateRequestError(`${field}: ${detail}`);
  };
  if (doc['operation'] !== 'translateAgent') {
    fail('operation', `"${String(doc['operation'])}" is not supported; use translateAgent`);
  }
  const str = (field: string, required: boolean): string | undefined => {
    const v = doc[field];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v === '') return fail(field, 'must be a non-empty string');
    return v;
  };
  const objects = doc['objects'];
  if (!Array.isArray(objects)) fail('objects', 'must be a list of Kubernetes objects');
  const request: TranslateRequest = {
    operation: 'translateAgent',
    targetObject: str('targetObject', true) ?? '',
    namespace: str('namespace', true) ?? '',
    objects: (objects as unknown[]).filter((o) => o !== null),
  };
  const sa = str('defaultServiceAccountName', false);
  if (sa) request.defaultServiceAccountName = sa;
  const proxy = str('proxyURL', false);
  if (proxy) request.proxyURL = proxy;
  return request;
}

/** Runs a request: the target Agent against the other objects of the request. */
export function runTranslateRequest(
  request: TranslateRequest,
  options: TranslateOptions,
): TranslateAgentResult {
  const resolver = createObjectResolver(request.objects, request.namespace);
  const agent = request.objects.find((o) => {
    const key = objectKey(o);
    return (
      referenceKindOf(o) === 'Agent' &&
      key.name === request.targetObject &&
      (key.namespace || request.namespace) === request.namespace
    );
  });
  if (agent === undefined) {
    return {
      ok: false,
      reason: 'AgentNotFound',
      field: 'targetObject',
      message: `targetObject: Agent ${request.namespace}/${request.targetObject} is not among the objects`,
      references: [],
    };
  }
  return translateAgent({
    agent,
    namespace: request.namespace,
    resolve: resolver,
    options: {
      ...options,
      ...(request.defaultServiceAccountName
        ? { defaultServiceAccountName: request.defaultServiceAccountName }
        : {}),
      ...(request.proxyURL ? { proxyUrl: request.proxyURL } : {}),
    },
  });
}
